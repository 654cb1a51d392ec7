import { describe, expect, it } from 'vitest';
import { Scratch } from '../common/audio.js';
import { cmvnw, createMfccPlan, mfcc, mfccShape } from './mfcc.js';

/** numpy 'symmetric' padding, built the slow way: reflect repeatedly until long enough. */
function padSymmetric(rows: number[][], pad: number): number[][] {
  let out = rows.slice();
  let left = pad;
  let right = pad;
  while (left > 0 || right > 0) {
    const n = rows.length;
    const takeL = Math.min(left, n);
    const takeR = Math.min(right, n);
    // Each reflection mirrors the current outermost block of the original length.
    const leftBlock = out.slice(0, takeL).reverse();
    const rightBlock = out.slice(out.length - takeR).reverse();
    out = [...leftBlock, ...out, ...rightBlock];
    left -= takeL;
    right -= takeR;
  }
  return out;
}

function naiveCmvnw(vec: number[][], win: number): number[][] {
  const pad = (win - 1) / 2;
  const cols = vec[0]!.length;
  const stat = (rows: number[][], c: number) => {
    const mean = rows.reduce((a, r) => a + r[c]!, 0) / rows.length;
    const std = Math.sqrt(rows.reduce((a, r) => a + (r[c]! - mean) ** 2, 0) / rows.length);
    return { mean, std };
  };
  const p1 = padSymmetric(vec, pad);
  const ms = vec.map((row, i) => row.map((v, c) => v - stat(p1.slice(i, i + win), c).mean));
  const p2 = padSymmetric(ms, pad);
  return ms.map((row, i) => row.map((v, c) => v / (stat(p2.slice(i, i + win), c).std + 1e-10)));
}

describe('cmvnw', () => {
  it('pads like numpy symmetric mode, also beyond the sequence length', () => {
    expect(padSymmetric([[0], [1], [2]], 5).map((r) => r[0])).toEqual([1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1]);
  });
  for (const [rows, win] of [[50, 101], [50, 3], [7, 31], [1, 5], [120, 75]] as const) {
    it(`matches a direct two-pass computation (${rows} rows, window ${win})`, () => {
      const cols = 4;
      const vec = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, c) => Math.sin(i * 0.7 + c) * (c + 1) + 0.1 * i + c * 10));
      const flat = Float64Array.from(vec.flat());
      const out = new Float32Array(rows * cols);
      cmvnw(flat, rows, cols, win, new Scratch(), out);
      const expected = naiveCmvnw(vec, win).flat();
      expected.forEach((e, i) => expect(Math.abs(out[i]! - e)).toBeLessThan(1e-4 * Math.max(1, Math.abs(e))));
    });
  }
});

describe('mfcc kernel', () => {
  const config = {
    frameLength: 0.02, frameStride: 0.02, numFilters: 32, fftLength: 256, numCepstral: 13,
    winSize: 0, lowFrequency: 0, highFrequency: 0, preCof: 0.98, preShift: 1,
  };
  it('puts ln(frame energy) in c0 and scales with the input as the reference does', () => {
    const plan = createMfccPlan(config);
    const tone = Float32Array.from({ length: 16000 }, (_, i) => 1000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const [frames, nc] = mfccShape(config, 16000, tone.length);
    const a = new Float32Array(frames * nc);
    mfcc(plan, tone, 16000, a);
    const louder = tone.map((v) => v * 2);
    const b = new Float32Array(frames * nc);
    mfcc(plan, louder, 16000, b);
    // Doubling the signal multiplies every power by 4: c0 (ln energy) grows by ln 4, the others stay
    // (the DCT of a constant log offset only reaches c0, which is replaced).
    for (let f = 0; f < frames; f++) {
      expect(b[f * nc]! - a[f * nc]!).toBeCloseTo(Math.log(4), 4);
      for (let k = 1; k < nc; k++) expect(b[f * nc + k]!).toBeCloseTo(a[f * nc + k]!, 3);
    }
  });
  it('reuses its buffers: a second run gives identical output', () => {
    const plan = createMfccPlan({ ...config, winSize: 101 });
    const noise = Float32Array.from({ length: 16000 }, (_, i) => ((i * 7919) % 2001) - 1000);
    const out1 = new Float32Array(650);
    const out2 = new Float32Array(650);
    mfcc(plan, noise, 16000, out1);
    mfcc(plan, noise, 16000, out2);
    expect(out2).toEqual(out1);
  });
});
