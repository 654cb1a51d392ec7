/**
 * The emitted C against the TypeScript blocks, on every shared reference vector: each case's
 * params are baked into C, compiled with the host gcc (C99, -Wall -Werror), run on the case's
 * input, and compared with the block's own output. Needs gcc (skips without it, fails under CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { buildHost, runDriver, toolchainReady } from '../../../test/support/c-harness.js';
import { dspVectorsAvailable, dspVectorsDir, loadDspVectors, type DspVector } from './common/dsp-vectors.js';
import type { CEmission, CInputInfo } from './emit-c.js';
import mfccBlock from './mfcc/index.js';
import mfeBlock from './mfe/index.js';
import spectrogramBlock from './spectrogram/index.js';
import rawBlock from './raw/index.js';
import flattenBlock from './flatten/index.js';
import spectralBlock from './spectral/index.js';
import imageBlock from './image/index.js';

interface EmittingBlock {
  params: { parse(v: unknown): unknown };
  prepare?: (p: never) => unknown;
  runSample: (s: Sample, c: never) => unknown;
  emitC: (p: never, input: CInputInfo) => CEmission;
}

const BLOCKS: Partial<Record<DspVector['block'], EmittingBlock>> = {
  mfcc: mfccBlock as unknown as EmittingBlock,
  mfe: mfeBlock as unknown as EmittingBlock,
  spectrogram: spectrogramBlock as unknown as EmittingBlock,
  spectral: spectralBlock as unknown as EmittingBlock,
};

const haveGcc = toolchainReady(['gcc'], 'C emission parity tests', 'apt-get install gcc');
const haveVectors = dspVectorsAvailable();
if (!haveVectors) {
  if (process.env['CI'] === 'true') throw new Error(`DSP reference vectors missing at ${dspVectorsDir()} (required under CI)`);
  console.log(`skipping C emission parity tests: no reference vectors at ${dspVectorsDir()}`);
}

async function runTs(block: EmittingBlock, params: unknown, v: DspVector): Promise<Float32Array> {
  const state = block.prepare ? block.prepare(params as never) : undefined;
  const sample: Sample = {
    id: `${v.name}#0`, label: 'x', category: 'test', intervalMs: 1000 / v.frequency, values: Float32Array.from(v.input),
    sensors: Array.from({ length: v.axes }, (_, i) => ({ name: `axis${i}`, units: 'raw' })),
  };
  return ((await block.runSample(sample, { params, state, pipelineDir: '.' } as never)) as Sample).values;
}

/** max |c − ts| over the feature range of the TS output (max − min, at least 1e-6). */
function worstRelative(c: Float32Array, ts: Float32Array): { worst: number; index: number; range: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of ts) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const range = Math.max(hi - lo, 1e-6);
  let worst = 0;
  let index = -1;
  for (let i = 0; i < ts.length; i++) {
    const e = Math.abs(c[i]! - ts[i]!) / range;
    if (!(e <= worst)) {
      worst = e;
      index = i;
    }
  }
  return { worst, index, range };
}

const work = mkdtempSync(path.join(tmpdir(), 'tinyforge-emit-c-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveGcc || !haveVectors)('emitted C matches the TypeScript blocks (host gcc)', () => {
  const vectors = haveVectors ? loadDspVectors().filter((v) => BLOCKS[v.block]) : [];
  // raw and flatten have no reference vectors of their own: they run on the accelerometer inputs.
  const accel = haveVectors ? loadDspVectors('spectral').filter((v) => v.params['analysis-type'] === 'FFT').slice(0, 3) : [];
  for (const [name, block] of [['raw', rawBlock], ['flatten', flattenBlock]] as const) {
    for (const v of accel) {
      it(`${name} on ${v.name}'s input`, async () => {
        const b = block as unknown as EmittingBlock;
        const params = b.params.parse({ 'scale-axes': 2.5 });
        const ts = await runTs(b, params, v);
        const emission = b.emitC(params as never, { frames: v.input.length / v.axes, axes: v.axes, frequency: v.frequency });
        expect(emission.outputSize).toBe(ts.length);
        const dir = path.join(work, `${name}-${v.name}`);
        const { status, output } = runDriver([buildHost(emission, dir)], v.input, emission, dir);
        expect(status).toBe(0);
        const { worst, index, range } = worstRelative(output, ts);
        console.log(`${name} on ${v.name}: C vs TS worst ${worst.toExponential(2)} of the range ${range.toPrecision(4)} (at ${index})`);
        expect(worst, `worst at ${index}`).toBeLessThanOrEqual(1e-4);
      });
    }
  }
  for (const v of vectors) {
    it(`${v.name}`, async () => {
      const block = BLOCKS[v.block]!;
      const params = block.params.parse(v.params);
      const ts = await runTs(block, params, v);
      const emission = block.emitC(params as never, { frames: v.input.length / v.axes, axes: v.axes, frequency: v.frequency });
      expect(emission.inputSize).toBe(v.input.length);
      expect(emission.outputSize).toBe(ts.length);
      const dir = path.join(work, v.name);
      const exe = buildHost(emission, dir);
      const { status, output } = runDriver([exe], v.input, emission, dir);
      expect(status).toBe(0);
      if (v.block === 'mfe') {
        // Steps of 1/256: equal, or one step off where float32 energies straddle a step edge.
        let off = 0;
        for (let i = 0; i < ts.length; i++) {
          const d = Math.abs(Math.round(output[i]! * 256) - Math.round(ts[i]! * 256));
          expect(d, `cell ${i}`).toBeLessThanOrEqual(1);
          off += d;
        }
        console.log(`${v.name}: C vs TS ${off} of ${ts.length} cells one step off; scratch ${emission.ramBytes} B`);
        expect(off).toBeLessThanOrEqual(Math.ceil(ts.length * 0.005));
        return;
      }
      const { worst, index, range } = worstRelative(output, ts);
      console.log(`${v.name}: C vs TS worst ${worst.toExponential(2)} of the range ${range.toPrecision(4)} (at ${index}); scratch ${emission.ramBytes} B`);
      expect(worst, `worst at ${index}`).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('spectral emitC refuses what it cannot compile', () => {
  it('input decimation is a TinyforgeError naming the param', () => {
    const b = spectralBlock as unknown as EmittingBlock;
    const params = b.params.parse({ 'input-decimation-ratio': 10 });
    let error: unknown;
    try {
      b.emitC(params as never, { frames: 300, axes: 3, frequency: 50 });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'TinyforgeError', code: 'PARAMS_INVALID', path: 'input-decimation-ratio' });
  });
});

describe.skipIf(!haveGcc)('image emitC (host gcc): the device image at the block size', () => {
  const W = 12;
  const H = 9;
  let seed = 99;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const cases: { name: string; channels: 0 | 1 | 3 | 4; mode: 'RGB' | 'Grayscale' }[] = [
    { name: 'packed RGB', channels: 0, mode: 'RGB' },
    { name: 'packed grayscale', channels: 0, mode: 'Grayscale' },
    { name: '3-channel RGB', channels: 3, mode: 'RGB' },
    { name: '4-channel grayscale', channels: 4, mode: 'Grayscale' },
    { name: '1-channel RGB', channels: 1, mode: 'RGB' },
  ];
  for (const c of cases) {
    it(`${c.name}: equal to the TypeScript block`, async () => {
      const b = imageBlock as unknown as EmittingBlock;
      const params = b.params.parse({ width: W, height: H, channels: c.mode, 'resize-mode': 'fit-shortest' });
      // Channel values include halves, out-of-range values and the ends, as a camera pipeline may give.
      const special = [0, 255, 254.5, 0.5, 127.5, -3, 300, 12.49999];
      const values = c.channels === 0
        ? [W, H, ...Array.from({ length: W * H }, () => Math.floor(rand() * 0x1000000))]
        : Array.from({ length: W * H * c.channels }, (_, i) => (i < special.length ? special[i]! : Math.fround(rand() * 256)));
      const sample: Sample = {
        id: 'img#0', label: 'x', category: 'test', intervalMs: 0, values: Float32Array.from(values), sensors: [{ name: 'image', units: 'rgb' }],
        ...(c.channels === 0 ? {} : { shape: [H, W, c.channels] }),
      };
      const ts = ((await b.runSample(sample, { params, state: b.prepare!(params as never), pipelineDir: '.' } as never)) as Sample).values;
      const info: CInputInfo = c.channels === 0 ? { frames: W * H, axes: 1 } : { frames: W * H, axes: c.channels, shape: [H, W, c.channels] };
      const em = b.emitC(params as never, info);
      const dir = path.join(work, `image-${c.name.replace(/\W/g, '_')}`);
      const { status, output } = runDriver([buildHost(em, dir)], c.channels === 0 ? values.slice(2) : values, em, dir);
      expect(status).toBe(0);
      expect(Array.from(output)).toEqual(Array.from(ts));
    });
  }
  it('a different input size without a shape is a TinyforgeError', () => {
    const b = imageBlock as unknown as EmittingBlock;
    const params = b.params.parse({ width: W, height: H });
    expect(() => b.emitC(params as never, { frames: 96 * 96, axes: 1 })).toThrow(/cannot be compiled to C/);
    expect(() => b.emitC(params as never, { frames: 10 * 10, axes: 1, shape: [10, 10, 2] })).toThrow(/cannot be compiled to C/);
  });
});

describe.skipIf(!haveGcc)('image emitC (host gcc): resizing on the device', () => {
  // Target 12×9 from larger, smaller and other-aspect sources, every mode and input form.
  const W = 12;
  const H = 9;
  let seed = 7;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const sources: { w: number; h: number; channels: 0 | 1 | 3 | 4; mode: 'RGB' | 'Grayscale' }[] = [
    { w: 31, h: 17, channels: 3, mode: 'RGB' },
    { w: 5, h: 11, channels: 3, mode: 'Grayscale' },
    { w: 20, h: 20, channels: 0, mode: 'RGB' },
    { w: 7, h: 4, channels: 0, mode: 'Grayscale' },
    { w: 16, h: 6, channels: 4, mode: 'RGB' },
    { w: 9, h: 13, channels: 1, mode: 'RGB' },
  ];
  for (const src of sources) {
    for (const mode of ['squash', 'fit-shortest', 'fit-longest'] as const) {
      const form = src.channels === 0 ? 'packed' : `${src.channels}-channel`;
      it(`${src.w}×${src.h} ${form} → ${W}×${H} ${src.mode}, ${mode}: equal to the TypeScript block`, async () => {
        const b = imageBlock as unknown as EmittingBlock;
        const params = b.params.parse({ width: W, height: H, channels: src.mode, 'resize-mode': mode });
        const pixels = src.w * src.h;
        // Channel values include halves and values outside 0..255 (rounded and clamped after interpolation).
        const special = [0, 255, 254.5, 0.5, 127.5, -3, 300, 12.49999];
        const input = src.channels === 0
          ? Array.from({ length: pixels }, () => Math.floor(rand() * 0x1000000))
          : Array.from({ length: pixels * src.channels }, (_, i) => (i < special.length ? special[i]! : Math.fround(rand() * 256)));
        const sample: Sample = {
          id: 'img#0', label: 'x', category: 'test', intervalMs: 0, sensors: [{ name: 'image', units: 'rgb' }],
          values: Float32Array.from(src.channels === 0 ? [src.w, src.h, ...input] : input),
          ...(src.channels === 0 ? {} : { shape: [src.h, src.w, src.channels] }),
        };
        const ts = ((await b.runSample(sample, { params, state: b.prepare!(params as never), pipelineDir: '.' } as never)) as Sample).values;
        const shape = src.channels === 0 ? [src.h, src.w] : [src.h, src.w, src.channels];
        const em = b.emitC(params as never, { frames: pixels, axes: Math.max(1, src.channels), shape });
        expect(em.inputSize).toBe(input.length);
        expect(em.outputSize).toBe(ts.length);
        const dir = path.join(work, `image-resize-${src.w}x${src.h}-${src.channels}-${src.mode}-${mode}`);
        const { status, output } = runDriver([buildHost(em, dir)], input, em, dir);
        expect(status).toBe(0);
        expect(Array.from(output)).toEqual(Array.from(ts));
        // Not a trivial pass: the resize produced more than one distinct value.
        expect(new Set(ts).size).toBeGreaterThan(3);
      });
    }
  }
  it('a NaN in the source makes the entry return 1', () => {
    const b = imageBlock as unknown as EmittingBlock;
    const params = b.params.parse({ width: W, height: H });
    const em = b.emitC(params as never, { frames: 20, axes: 3, shape: [4, 5, 3] });
    const input = Array.from({ length: 60 }, (_, i) => (i === 37 ? NaN : i));
    const dir = path.join(work, 'image-resize-nan');
    expect(runDriver([buildHost(em, dir)], input, em, dir).status).toBe(1);
  });
});
