/**
 * The emitted MFCC C on an emulated Cortex-M4F (arm-none-eabi-gcc -Os, QEMU mps2-an386, our
 * instruction-counting plugin): executed instructions of one 1 s / 16 kHz window with EI-default
 * params, flash (code + tables, ELF minus an empty harness), working RAM (scratch + peak stack),
 * and the device's features against the TypeScript block. Prints the numbers and holds them to
 * the budgets (≤ 600,000 instructions, ≤ 16 KB flash, ≤ 4 KB working RAM).
 * Needs the Cortex-M toolchain (skips without it, fails under CI).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { CORES, cortexMAvailable, runOnQemu } from '../../../test/support/cortex-m4.js';
import type { CEmission } from './emit-c.js';
import mfccBlock from './mfcc/index.js';
import spectralBlock from './spectral/index.js';
import { dspVectorsAvailable, loadDspVectors } from './common/dsp-vectors.js';

const DEVICE_DIR = fileURLToPath(new URL('../../../targets/cpp/runtime/device/', import.meta.url));
const haveArm = await cortexMAvailable();

/** Bench main: input from flash, markers around the entry, stack painted below sp, outputs as hex bits. */
function benchMain(em: CEmission, input: Float32Array, baseline: boolean): string {
  const P = em.prefix.toUpperCase();
  const bits = Array.from(new Uint32Array(Float32Array.from(input).buffer), (b) => `0x${b.toString(16)}u`);
  return `#include <stdio.h>
#include <stdint.h>
#include "${em.prefix}.h"
static const uint32_t bench_raw_bits[${input.length}] = {${bits.join(',')}};
__attribute__((noinline)) void bench_nn_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_nn_end(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_end(void) { __asm volatile("" ::: "memory"); }
/* runOnQemu counts a 'run' region too (the C++ target's whole-library call); empty here. */
__attribute__((noinline)) void bench_run_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_run_end(void) { __asm volatile("" ::: "memory"); }
extern uint32_t __StackLimit;
#if !${baseline ? 1 : 0}
static float out[${P}_OUTPUT_SIZE];
static float scratch[${P}_SCRATCH_FLOATS + 1];
#endif
int main(void) {
#if ${baseline ? 1 : 0}
  const void *volatile keep = bench_raw_bits;
  (void)keep;
  bench_nn_begin(); bench_nn_end(); bench_dsp_begin(); bench_dsp_end(); bench_run_begin(); bench_run_end();
#else
  uint32_t sp, *d;
  int rc, i;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (d = &__StackLimit; d < (uint32_t *)(sp - 16);) *d++ = 0xA5A5A5A5u;
  bench_nn_begin(); bench_nn_end();
  bench_dsp_begin();
  rc = ${em.entry}((const float *)bench_raw_bits, out, scratch);
  bench_dsp_end();
  bench_run_begin(); bench_run_end();
  for (d = &__StackLimit; d < (uint32_t *)sp && *d == 0xA5A5A5A5u;) d++;
  printf("dsp_stack_bytes=%lu rc=%d\\nfeatures:", (unsigned long)(sp - (uint32_t)d), rc);
  for (i = 0; i < ${P}_OUTPUT_SIZE; i++) { union { float f; uint32_t u; } v; v.f = out[i]; printf(" %08lx", (unsigned long)v.u); }
  printf("\\n");
#endif
  return 0;
}
`;
}

interface M4Numbers {
  instructions: number;
  flashBytes: number;
  staticRamBytes: number;
  stackBytes: number;
  rc: number;
  output: Float32Array;
}

function sizeOf(elf: string): { text: number; data: number; bss: number } {
  const row = execFileSync('arm-none-eabi-size', ['-B', '-d', elf], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/);
  return { text: Number(row[0]), data: Number(row[1]), bss: Number(row[2]) };
}

async function measureOnM4(em: CEmission, input: Float32Array, dir: string): Promise<M4Numbers> {
  const target = CORES['cortex-m4'];
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${em.prefix}.h`), em.header);
  for (const [name, text] of Object.entries(em.sources)) writeFileSync(path.join(dir, name), text);
  const ld = readFileSync(path.join(DEVICE_DIR, 'link.ld.in'), 'utf8').replace('@FLASH@', target.flash).replace('@RAM@', target.ram).replace('@RAMLEN@', target.ramLength);
  writeFileSync(path.join(dir, 'link.ld'), ld);
  const cflags = [...target.cflags, '-Os', '-std=c99', '-ffunction-sections', '-fdata-sections', '-fno-unwind-tables', '-fno-asynchronous-unwind-tables', `-I${dir}`];
  const link = ['-nostartfiles', '--specs=nano.specs', '--specs=rdimon.specs', '-T', path.join(dir, 'link.ld'), '-Wl,--gc-sections'];
  const sources = [path.join(DEVICE_DIR, 'startup.c'), ...Object.keys(em.sources).map((f) => path.join(dir, f))];
  const elfs: string[] = [];
  for (const baseline of [false, true]) {
    const main = path.join(dir, `main_${baseline ? 'base' : 'bench'}.c`);
    writeFileSync(main, benchMain(em, input, baseline));
    const elf = path.join(dir, `${baseline ? 'base' : 'bench'}.elf`);
    execFileSync('arm-none-eabi-gcc', [...cflags, ...link, ...sources, main, '-lm', '-o', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
    elfs.push(elf);
  }
  const [e, b] = [sizeOf(elfs[0]!), sizeOf(elfs[1]!)];
  const r = await runOnQemu(elfs[0]!, target);
  const words = /features:(.*)/.exec(r.stdout)![1]!.trim().split(/\s+/).map((h) => parseInt(h, 16));
  return {
    instructions: r.regions['dsp']!,
    flashBytes: e.text + e.data - (b.text + b.data),
    staticRamBytes: e.data + e.bss - (b.data + b.bss),
    stackBytes: Number(/dsp_stack_bytes=(\d+)/.exec(r.stdout)![1]),
    rc: Number(/rc=(-?\d+)/.exec(r.stdout)![1]),
    output: new Float32Array(Uint32Array.from(words).buffer),
  };
}

/** The bench signal of test/bench/codegen.ts: a 440 Hz tone plus LCG noise, 16-bit range. */
function kwsSignal(): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: 16000 }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 16000) + (s / 2 ** 32 - 0.5) * 2000);
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'tinyforge-emit-c-m4-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveArm)('emitted DSP C on Cortex-M4 (QEMU)', () => {
  it('MFCC, EI defaults, 1 s @ 16 kHz: instructions, flash, RAM, features', async () => {
    const params = mfccBlock.params.parse({});
    const em = mfccBlock.emitC(params, { frames: 16000, axes: 1, frequency: 16000 });
    const input = kwsSignal();
    const m = await measureOnM4(em, input, path.join(work, 'mfcc'));
    const sample: Sample = { id: 'kws#0', label: 'x', category: 'test', intervalMs: 1000 / 16000, values: input, sensors: [{ name: 'audio', units: 'raw' }] };
    const state = mfccBlock.prepare!(params);
    const ts = ((await mfccBlock.runSample(sample, { params, state, pipelineDir: '.' } as never)) as Sample).values;
    let worst = 0;
    for (let i = 0; i < ts.length; i++) worst = Math.max(worst, Math.abs(m.output[i]! - ts[i]!));
    console.log(`mfcc on cortex-m4: ${m.instructions.toLocaleString('en-US')} instructions (goal ≤ 600,000); flash ${m.flashBytes} B (goal ≤ 16,384); `
      + `working RAM ${em.ramBytes} B scratch + ${m.stackBytes} B stack = ${em.ramBytes + m.stackBytes} B (goal ≤ 4,096); static RAM incl. output ${m.staticRamBytes} B; `
      + `device vs TS worst |diff| ${worst.toExponential(2)} (tolerance 1e-3)`);
    expect(m.rc).toBe(0);
    expect(worst).toBeLessThanOrEqual(1e-3);
    // The budgets of the Cortex-M4 KWS front end (instruction counts from this toolchain; was 1,034,963).
    expect(m.instructions).toBeLessThanOrEqual(600_000);
    expect(m.flashBytes).toBeLessThanOrEqual(16_384);
    expect(em.ramBytes + m.stackBytes).toBeLessThanOrEqual(4_096);
  }, 180_000);

  // Spectral analysis on accelerometer windows: printed, held to device-vs-TS parity only.
  for (const name of ['spectral-06', 'spectral-08']) {
    it.skipIf(!dspVectorsAvailable())(`${name} (spectral analysis): instructions, flash, RAM, features`, async () => {
      const v = loadDspVectors('spectral').find((x) => x.name === name)!;
      const params = spectralBlock.params.parse(v.params);
      const em = spectralBlock.emitC(params, { frames: v.input.length / v.axes, axes: v.axes, frequency: v.frequency });
      const input = Float32Array.from(v.input);
      const m = await measureOnM4(em, input, path.join(work, name));
      const sample: Sample = { id: `${name}#0`, label: 'x', category: 'test', intervalMs: 1000 / v.frequency, values: input, sensors: Array.from({ length: v.axes }, (_, i) => ({ name: `a${i}`, units: 'raw' })) };
      const ts = ((await spectralBlock.runSample(sample, { params, state: spectralBlock.prepare!(params), pipelineDir: '.' } as never)) as Sample).values;
      let lo = Infinity;
      let hi = -Infinity;
      let worst = 0;
      for (let i = 0; i < ts.length; i++) {
        lo = Math.min(lo, ts[i]!);
        hi = Math.max(hi, ts[i]!);
        worst = Math.max(worst, Math.abs(m.output[i]! - ts[i]!));
      }
      const rel = worst / Math.max(hi - lo, 1e-6);
      console.log(`${name} on cortex-m4 (${params['analysis-type']}, ${v.axes} x ${v.input.length / v.axes} @ ${v.frequency} Hz): ${m.instructions.toLocaleString('en-US')} instructions; `
        + `flash ${m.flashBytes} B; working RAM ${em.ramBytes} B scratch + ${m.stackBytes} B stack; device vs TS worst ${rel.toExponential(2)} of the range`);
      expect(m.rc).toBe(0);
      expect(rel).toBeLessThanOrEqual(1e-4);
    }, 180_000);
  }
});
