/**
 * The emitted real-FFT power spectrum (fft-c.ts) against the TypeScript FFT for every length
 * from 2 to 4096, in its three forms: plain, with fused pre-emphasis, and unscaled (×4n).
 * Needs gcc (skips without it, fails under CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHost, runDriver, toolchainReady } from '../../../../test/support/c-harness.js';
import { C_PRELUDE, cHeader, type CEmission } from '../emit-c.js';
import { emitRealFftC } from './fft-c.js';
import { createRealFftPlan, powerSpectrum } from './fft.js';

const haveGcc = toolchainReady(['gcc'], 'FFT C tests', 'apt-get install gcc');
const work = mkdtempSync(path.join(tmpdir(), 'tinyforge-fft-c-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const SHIFT = 2;
const COF = 0.9;

/** One unit running every size on the same input: plain, pre-emphasised (from x + SHIFT) and unscaled. */
function unit(): { em: CEmission; outputs: number } {
  const fns: string[] = [];
  const calls: string[] = [];
  let at = 0;
  let work = 0;
  for (const n of SIZES) {
    fns.push(emitRealFftC(`p${n}`, n), emitRealFftC(`e${n}`, n, { preEmphasisShift: SHIFT }), emitRealFftC(`u${n}`, n, { unscaled: true }));
    const bins = n / 2 + 1;
    calls.push(`  out[${at + bins}] = p${n}_rfft_power(in + ${SHIFT}, scratch, out + ${at});`);
    at += bins + 1;
    calls.push(`  out[${at + bins}] = e${n}_rfft_power(in + ${SHIFT}, ${COF}f, scratch, out + ${at});`);
    at += bins + 1;
    calls.push(`  out[${at + bins}] = u${n}_rfft_power(in + ${SHIFT}, scratch, out + ${at});`);
    at += bins + 1;
    work = Math.max(work, n);
  }
  const input = Math.max(...SIZES) + SHIFT;
  const source = `${C_PRELUDE}#include "fft.h"\n${fns.join('\n')}\nint fft_run(const float *in, float *out, float *scratch) {\n${calls.join('\n')}\n  return 0;\n}\n`;
  const header = cHeader('fft', 'FFT test unit', { input, output: at, scratchBytes: work * 4 });
  return { em: { prefix: 'fft', sources: { 'fft.c': source }, header, inputSize: input, outputSize: at, ramBytes: work * 4, entry: 'fft_run' }, outputs: at };
}

describe.skipIf(!haveGcc)('emitted real FFT (host gcc)', () => {
  it('matches the TypeScript FFT for n = 2 … 4096, plain, pre-emphasised and unscaled', () => {
    const { em } = unit();
    let s = 7;
    const input = Float32Array.from({ length: em.inputSize }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s / 2 ** 32 - 0.5) * 200;
    });
    const dir = path.join(work, 'fft');
    const { status, output } = runDriver([buildHost(em, dir)], input, em, dir);
    expect(status).toBe(0);
    let at = 0;
    for (const n of SIZES) {
      const plan = createRealFftPlan(n);
      const bins = n / 2 + 1;
      const x = Float64Array.from(input.subarray(SHIFT, SHIFT + n));
      const pre = Float64Array.from({ length: n }, (_, i) => Math.fround(input[SHIFT + i]! - Math.fround(COF) * input[i]!));
      for (const [kind, signal, factor] of [['plain', x, 1], ['pre-emphasis', pre, 1], ['unscaled', x, 4 * n]] as const) {
        const ref = new Float64Array(bins);
        const sum = powerSpectrum(plan, signal, 0, n, 1, ref, 0) * factor;
        const peak = Math.max(...ref) * factor;
        let worst = 0;
        for (let k = 0; k < bins; k++) worst = Math.max(worst, Math.abs(output[at + k]! - ref[k]! * factor) / peak);
        expect(worst, `${kind} n=${n}`).toBeLessThan(2e-5);
        expect(Math.abs(output[at + bins]! - sum) / sum, `${kind} n=${n} sum`).toBeLessThan(1e-5);
        at += bins + 1;
      }
    }
  });
});
