/** The DSP blocks as the runner sees them: params, plan-time checks, meta, per-sample errors. */
import { describe, expect, it } from 'vitest';
import { checkBlockDeclaration, isTinyforgeError, type AnyBlock, type Sample } from '@tinyforge/sdk';
import { dspBlocks } from './registry.js';
import { loadRegisteredBlock } from '../registration.js';
import mfccBlock from './mfcc/index.js';
import mfeBlock from './mfe/index.js';
import spectrogramBlock from './spectrogram/index.js';
import spectralBlock from './spectral/index.js';
import rawBlock from './raw/index.js';
import flattenBlock from './flatten/index.js';
import imageBlock from './image/index.js';

type Runnable = { params: { parse(v: unknown): unknown }; prepare?: (p: never) => unknown; runSample: (s: Sample, c: never) => unknown; checkParams?: (p: never) => unknown };

async function run(block: Runnable, sample: Sample, rawParams: object = {}): Promise<Sample> {
  const params = block.params.parse(rawParams);
  const state = block.prepare ? block.prepare(params as never) : undefined;
  return (await block.runSample(sample, { params, state, pipelineDir: '.' } as never)) as Sample;
}

function checks(block: Runnable, rawParams: object): { path: string; message: string }[] {
  return (block.checkParams?.(block.params.parse(rawParams) as never) ?? []) as { path: string; message: string }[];
}

function audio(id: string, values: Float32Array, frequency = 16000, axes = 1): Sample {
  return {
    id, label: 'yes', category: 'train', intervalMs: 1000 / frequency, values, meta: { file: `${id}.wav` },
    sensors: Array.from({ length: axes }, (_, i) => ({ name: `a${i}`, units: 'wav' })),
  };
}

const tone = Float32Array.from({ length: 16000 }, (_, i) => 3000 * Math.sin((2 * Math.PI * 440 * i) / 16000) + ((i * 7919) % 201) - 100);

async function expectSampleError(p: Promise<unknown>, id: string, pattern: RegExp): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(isTinyforgeError(error), String(error)).toBe(true);
  expect((error as Error).message).toContain(`"${id}"`);
  expect((error as Error).message).toMatch(pattern);
}

describe('DSP block registry', () => {
  it('lists seven blocks whose modules load and match their registration', async () => {
    expect(dspBlocks.map((b) => b.id)).toEqual(['dsp/mfcc', 'dsp/mfe', 'dsp/spectrogram', 'dsp/spectral-analysis', 'dsp/raw', 'dsp/flatten', 'dsp/image']);
    for (const reg of dspBlocks) {
      const block: AnyBlock = await loadRegisteredBlock(reg);
      expect(block.id).toBe(reg.id);
      expect(block.version).toBe(reg.version);
      expect(block.kind).toBe('dsp');
      expect(checkBlockDeclaration(block)).toEqual([]);
    }
  });
});

describe('audio blocks', () => {
  it('keep the sample identity and return [frames, coefficients] features', async () => {
    const input = audio('yes/1.wav#0', tone);
    const out = await run(mfccBlock, input);
    expect(out).toMatchObject({ id: input.id, label: 'yes', category: 'train', intervalMs: 0, shape: [50, 13], meta: { file: 'yes/1.wav#0.wav' } });
    expect(out.values.length).toBe(650);
    expect((await run(mfeBlock, input)).shape).toEqual([99, 40]);
    expect((await run(spectrogramBlock, input)).shape).toEqual([99, 65]);
  });

  it('give the output shape at plan time when the input meta knows frequency and window', () => {
    expect(mfccBlock.outputMeta!(mfccBlock.params.parse({}), { frequency: 16000, windowSamples: 16000 })).toEqual({
      shape: [50, 13], dsp: { block: 'dsp/mfcc', params: mfccBlock.params.parse({}) },
    });
    expect(mfeBlock.outputMeta!(mfeBlock.params.parse({}), { intervalMs: 0.0625, shape: [16000, 1] })['shape']).toEqual([99, 40]);
    expect(spectrogramBlock.outputMeta!(spectrogramBlock.params.parse({ fft_length: 256 }), { frequency: 16000, frames: 8000 })['shape']).toEqual([49, 129]);
    expect(mfccBlock.outputMeta!(mfccBlock.params.parse({}), {})['shape']).toBeUndefined();
  });

  it('report plan-time problems from params alone', () => {
    expect(checks(mfccBlock, { fft_length: 200 }).map((p) => p.path)).toEqual(['fft_length']);
    expect(checks(mfccBlock, { win_size: 100 }).map((p) => p.path)).toEqual(['win_size']);
    expect(checks(mfccBlock, { num_cepstral: 40 }).map((p) => p.path)).toEqual(['num_cepstral']);
    expect(checks(mfccBlock, { low_frequency: 5000, high_frequency: 4000 }).map((p) => p.path)).toEqual(['low_frequency']);
    expect(checks(mfeBlock, { fft_length: 100 }).map((p) => p.path)).toEqual(['fft_length']);
    expect(checks(spectrogramBlock, { fft_length: 3 }).map((p) => p.path)).toEqual(['fft_length']);
    expect(checks(mfccBlock, {})).toEqual([]);
    expect(() => mfccBlock.params.parse({ num_filters: 1 })).toThrow();
  });

  it('throw a TinyforgeError naming the sample for bad input', async () => {
    const nan = tone.slice();
    nan[123] = NaN;
    await expectSampleError(run(mfccBlock, audio('bad/nan#0', nan)), 'bad/nan#0', /NaN/);
    const inf = tone.slice();
    inf[5] = Infinity;
    await expectSampleError(run(mfeBlock, audio('bad/inf#0', inf)), 'bad/inf#0', /Infinity/);
    await expectSampleError(run(mfccBlock, audio('short#0', tone.subarray(0, 100))), 'short#0', /shorter than one frame/);
    await expectSampleError(run(spectrogramBlock, { ...audio('nofreq#0', tone), intervalMs: 0 }), 'nofreq#0', /sampling frequency/);
    await expectSampleError(run(mfccBlock, audio('stereo#0', tone, 16000, 2)), 'stereo#0', /single axis/);
    await expectSampleError(run(mfccBlock, audio('nyq#0', tone, 8000), { high_frequency: 6000 }), 'nyq#0', /Nyquist/);
    await expectSampleError(run(mfccBlock, audio('many#0', new Float32Array(16000 * 6)), { frame_stride: 0.01 }), 'many#0', /more than 500/);
  });

  it('spectrogram stacks the axes of a multi-axis sample', async () => {
    const three = new Float32Array(300 * 3);
    for (let i = 0; i < 300; i++) for (let a = 0; a < 3; a++) three[i * 3 + a] = Math.sin(i * (a + 1) * 0.2);
    const params = { frame_length: 0.5, frame_stride: 0.25, fft_length: 32 };
    const out = await run(spectrogramBlock, audio('acc#0', three, 100, 3), params);
    expect(out.shape).toEqual([11 * 3, 17]);
    const single = await run(spectrogramBlock, audio('acc-y#0', Float32Array.from({ length: 300 }, (_, i) => three[i * 3 + 1]!), 100), params);
    expect(Array.from(out.values.subarray(11 * 17, 22 * 17))).toEqual(Array.from(single.values));
  });
});

describe('spectral analysis block', () => {
  const accel = Float32Array.from({ length: 200 * 3 }, (_, i) => Math.sin(Math.floor(i / 3) * 0.4 * ((i % 3) + 1)) + (i % 3) * 0.1);
  const sample = (values = accel, frequency = 100): Sample => ({ ...audio('walk#3', values, frequency, 3), sensors: ['x', 'y', 'z'].map((n) => ({ name: n, units: 'g' })) });

  it('returns [axes, features per axis]', async () => {
    expect((await run(spectralBlock, sample())).shape).toEqual([3, 13]);
    expect((await run(spectralBlock, sample(), { 'analysis-type': 'Wavelet' })).shape).toEqual([3, 28]);
    expect(spectralBlock.outputMeta!(spectralBlock.params.parse({ 'fft-length': 64, 'filter-type': 'low', 'filter-cutoff': 10 }), { frequency: 100, frames: 200, axes: 3 })['shape']).toEqual([3, 5 + 6]); // bins 1…int(10·64/100 + 0.5) = 6
  });

  it('accepts Edge Impulse params as exported, including the string decimation ratio', () => {
    const parsed = spectralBlock.params.parse({ 'input-decimation-ratio': '1', 'spectral-power-edges': '0.1, 0.5' });
    expect(parsed['input-decimation-ratio']).toBe(1);
    expect(checks(spectralBlock, {})).toEqual([]);
  });

  it('reports plan-time problems', () => {
    expect(checks(spectralBlock, { 'fft-length': 48 }).map((p) => p.path)).toEqual(['fft-length']);
    expect(checks(spectralBlock, { 'filter-type': 'low', 'filter-order': 3 }).map((p) => p.path)).toEqual(['filter-order']);
    expect(checks(spectralBlock, { 'input-decimation-ratio': 10 }).map((p) => p.path)).toEqual(['input-decimation-ratio']);
    expect(() => spectralBlock.params.parse({ wavelet: 'db42' })).toThrow();
  });

  it('names the sample when the frequency makes the params unusable', async () => {
    await expectSampleError(run(spectralBlock, sample(accel, 8), { 'filter-type': 'low', 'filter-cutoff': 5 }), 'walk#3', /Nyquist/);
    await expectSampleError(run(spectralBlock, sample(accel.subarray(0, 60 * 3)), { 'analysis-type': 'Wavelet', 'wavelet-level': 1 }), 'walk#3', /at least 64 samples/);
    await expectSampleError(run(spectralBlock, sample(), { 'filter-type': 'high', 'filter-cutoff': 60, 'filter-order': 0, 'fft-length': 16 }), 'walk#3', /masks every FFT bin/);
  });
});

describe('raw, flatten and image blocks', () => {
  const values = Float32Array.from([1, 10, 2, 20, 3, 30, 10, 40]);
  const sample: Sample = { id: 's#0', label: null, category: 'test', intervalMs: 10, values, sensors: [{ name: 'a', units: '' }, { name: 'b', units: '' }] };

  it('raw scales the interleaved window', async () => {
    const out = await run(rawBlock, sample, { 'scale-axes': 0.5 });
    expect(Array.from(out.values)).toEqual(Array.from(values).map((v) => v / 2));
    expect(out.shape).toEqual([4, 2]);
  });

  it('flatten gives the seven statistics per axis in Edge Impulse order', async () => {
    const out = await run(flattenBlock, sample, { 'scale-axes': 2 });
    expect(out.shape).toEqual([2, 7]);
    const a = [2, 4, 6, 20];
    const mean = 8;
    const m = (k: number) => a.reduce((s, v) => s + (v - mean) ** k, 0) / 4;
    const expected = [mean, 2, 20, Math.sqrt(a.reduce((s, v) => s + v * v, 0) / 4), Math.sqrt(m(2)), m(3) / m(2) ** 1.5, m(4) / m(2) ** 2 - 3];
    expected.forEach((e, i) => expect(out.values[i]).toBeCloseTo(e, 4));
    const some = await run(flattenBlock, sample, { average: false, rms: false, skewness: false, kurtosis: false, stdev: false });
    expect(Array.from(some.values)).toEqual([1, 10, 10, 40]);
    expect(checks(flattenBlock, { average: false, minimum: false, maximum: false, rms: false, stdev: false, skewness: false, kurtosis: false })).toHaveLength(1);
  });

  it('image resizes to HWC in 0..1, RGB or grayscale, from HWC or Edge Impulse packed input', async () => {
    // 2×2 RGB: red, green / blue, white.
    const px = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    const hwc: Sample = { ...sample, id: 'img#0', intervalMs: 0, values: Float32Array.from(px.flat()), shape: [2, 2, 3] };
    const same = await run(imageBlock, hwc, { width: 2, height: 2 });
    expect(same.shape).toEqual([2, 2, 3]);
    expect(Array.from(same.values)).toEqual(px.flat().map((v) => v / 255));
    const gray = await run(imageBlock, hwc, { width: 2, height: 2, channels: 'Grayscale' });
    expect(Array.from(gray.values).map((v) => Math.round(v * 255))).toEqual([76, 150, 29, 255]);
    const packed: Sample = { ...hwc, shape: undefined, values: Float32Array.from([2, 2, 0xff0000, 0x00ff00, 0x0000ff, 0xffffff]) };
    expect(Array.from((await run(imageBlock, packed, { width: 2, height: 2 })).values)).toEqual(Array.from(same.values));
    const big = await run(imageBlock, hwc, { width: 4, height: 2, 'resize-mode': 'fit-longest' });
    expect(big.shape).toEqual([2, 4, 3]);
    expect(Array.from(big.values.subarray(0, 3))).toEqual([0, 0, 0]); // letterbox border
    expect(imageBlock.outputMeta!(imageBlock.params.parse({ channels: 'Grayscale' }), {})['shape']).toEqual([96, 96, 1]);
    await expectSampleError(run(imageBlock, { ...hwc, values: Float32Array.from([1, 2, 3]) }), 'img#0', /not an image|does not match/);
  });
});
