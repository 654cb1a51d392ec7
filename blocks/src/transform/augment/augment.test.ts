import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { datasetAvailable, datasetPath } from '../../ingest/shared-datasets.js';
import augmentBlock, { augmentSample } from './index.js';
import { mixNoise, power, sampleRng, timeShift } from './augment.js';

function speechLike(frames: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => 8000 * Math.sin(i * 0.05) * Math.sin(i * 0.0013));
}
const base = (category: 'train' | 'test', intervalMs = 0.0625, frames = 16000): Sample => ({
  id: `yes/abc_nohash_0.wav`, label: 'yes', category, sensors: [{ name: 'audio', units: 'wav' }], intervalMs, values: speechLike(frames), shape: [frames, 1], meta: { source: 'yes/abc_nohash_0.wav' },
});
const P = { snrDb: [10, 10] as [number, number], noiseProbability: 1, timeShiftMs: 0, copies: 2, keepOriginal: true, seed: 7 };

describe('augment kernels', () => {
  it('seeded generator: same (seed, id, copy) → same stream; any change → another', () => {
    const a = sampleRng(1, 'x', 0), b = sampleRng(1, 'x', 0), c = sampleRng(1, 'x', 1), d = sampleRng(2, 'x', 0);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    expect(d()).not.toBe(first[0]);
    const mean = Array.from({ length: 10000 }, sampleRng(0, 'u', 0)).reduce((s, x) => s + x, 0) / 10000;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('mixNoise hits the requested SNR exactly; silent signals stay silent', () => {
    const x = speechLike(4000);
    const noise = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.31));
    const { mixed, gain } = mixNoise(x, 1, noise, 500, 6);
    const diff = mixed.map((m, i) => m - x[i]!);
    expect(10 * Math.log10(power(x) / power(diff))).toBeCloseTo(6, 4);
    expect(gain).toBeGreaterThan(0);
    expect(mixNoise(new Float32Array(10), 1, noise, 0, 6).gain).toBe(0);
  });

  it('timeShift moves frames and zero-fills', () => {
    expect(timeShift(new Float32Array([1, 2, 3, 4]), 1, 1)).toEqual(new Float32Array([0, 1, 2, 3]));
    expect(timeShift(new Float32Array([1, 2, 3, 4]), 1, -2)).toEqual(new Float32Array([3, 4, 0, 0]));
    expect(timeShift(new Float32Array([1, 10, 2, 20]), 2, 1)).toEqual(new Float32Array([0, 0, 1, 10]));
  });
});

describe('augmentSample', () => {
  const noise = [Float32Array.from({ length: 40000 }, (_, i) => Math.sin(i * 2.3) * 0.1)];

  it('test samples pass through untouched; train samples get original + copies', () => {
    const t = base('test');
    expect(augmentSample(t, P, noise, ['n.wav'])).toEqual([t]);
    const out = augmentSample(base('train'), P, noise, ['n.wav']);
    expect(out.map((s) => s.id)).toEqual(['yes/abc_nohash_0.wav', 'yes/abc_nohash_0.wav~aug0', 'yes/abc_nohash_0.wav~aug1']);
    expect(out[1]!.meta).toMatchObject({ augmentedFrom: 'yes/abc_nohash_0.wav', augment: { noiseFile: 'n.wav', snrDb: 10, shiftFrames: 0 } });
  });

  it('is deterministic per sample id and seed', () => {
    const a = augmentSample(base('train'), { ...P, timeShiftMs: 100, snrDb: [0, 20] }, noise, ['n.wav']);
    const b = augmentSample(base('train'), { ...P, timeShiftMs: 100, snrDb: [0, 20] }, noise, ['n.wav']);
    expect(b[1]!.values).toEqual(a[1]!.values);
    const c = augmentSample(base('train'), { ...P, timeShiftMs: 100, snrDb: [0, 20], seed: 8 }, noise, ['n.wav']);
    expect(c[1]!.values).not.toEqual(a[1]!.values);
  });
});

describe.skipIf(!datasetAvailable('kws-background-noise'))('transform/augment with the Speech Commands background noise', () => {
  const noiseDir = datasetPath('kws-background-noise');
  const run = (sample: Sample, params: Record<string, unknown>) => {
    const p = augmentBlock.params.parse({ noiseDirectory: noiseDir, ...params });
    return augmentBlock.runSample(sample, { params: p, state: augmentBlock.prepare!(p), pipelineDir: dirname(noiseDir) }) as Sample[];
  };

  it('mixes real noise at the requested SNR and records which file', () => {
    const [orig, aug] = run(base('train'), { snrDb: [5, 5], noiseProbability: 1, timeShiftMs: 0, copies: 1 });
    const diff = aug!.values.map((v, i) => v - orig!.values[i]!);
    expect(10 * Math.log10(power(orig!.values) / power(diff))).toBeCloseTo(5, 3);
    expect(['doing_the_dishes.wav', 'dude_miaowing.wav', 'exercise_bike.wav', 'pink_noise.wav', 'running_tap.wav', 'white_noise.wav']).toContain(aug!.meta?.['augment'] && (aug!.meta['augment'] as Record<string, unknown>)['noiseFile']);
  });

  it('resamples the 16 kHz noise for an 8 kHz sample (SNR still exact)', () => {
    const [orig, aug] = run(base('train', 0.125, 8000), { snrDb: [12, 12], noiseProbability: 1, timeShiftMs: 0, copies: 1 });
    const diff = aug!.values.map((v, i) => v - orig!.values[i]!);
    expect(10 * Math.log10(power(orig!.values) / power(diff))).toBeCloseTo(12, 3);
  });
});
