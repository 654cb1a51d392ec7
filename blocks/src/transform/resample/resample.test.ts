import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { resampleSample } from './index.js';
import { designResampler, rationalRatio, resample, type Resampler } from './resample.js';

// Reference outputs from SciPy 1.17 `scipy.signal.resample_poly(x, up, down)` (default Kaiser β=5
// window), computed once outside the repo and pasted here: an independent implementation.
const X = Array.from({ length: 24 }, (_, i) => (((i * 7919) % 23) - 11) / 11);
const SCIPY: Record<string, number[]> = {
  '2/1': [-1.000517, -0.8040469, -0.3638245, -0.06429021, 0.2728684, 0.7682113, 0.9095613, 0.2833314, -0.5457368, -0.6341081, 0.09095613, 0.7827509, 0.7276491, 0.003641632, -0.7276491, -0.789529, -0.09095613, 0.6396907, 0.5457368, -0.2895465, -0.9095613, -0.7578536, -0.2728684, 0.04543102, 0.3638245, 0.8487156, 1.000517, 0.3848056, -0.4547807, -0.5591295, 0.1819123, 0.9005953, 0.8186052, 0.05206341, -0.6366929, -0.6343161, 0, 0.6344864, 0.6366929, -0.05125635, -0.8186052, -0.9047025, -0.1819123, 0.5710239, 0.4547807, -0.4173235, -1.000517, -0.6780695],
  '1/2': [-0.6559474, 0.2275258, 0.2049752, -0.03731024, 0.007506699, -0.3902278, 0.2735623, 0.299355, 0.08293753, 0.02696831, -0.1421191, -0.2192094],
  '2/3': [-0.8573332, 0.04033921, 0.5274826, -0.2354397, 0.4312863, -0.5171373, 0.3867501, -0.924638, 0.778991, 0.04617671, 0.31181, 0.02591524, 0.0141618, -0.05749168, -0.2689184, -0.1091259],
};

function tone(hz: number, rate: number, frames: number, amp = 1): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
}
function rms(v: ArrayLike<number>, from = 0, to = v.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / (to - from));
}

describe('resample (polyphase windowed sinc)', () => {
  it('reduces rate ratios', () => {
    expect(rationalRatio(8000, 16000)).toEqual({ up: 2, down: 1 });
    expect(rationalRatio(44100, 16000)).toEqual({ up: 160, down: 441 });
    expect(rationalRatio(1000 / (1000 / 44100), 16000)).toEqual({ up: 160, down: 441 });
  });

  for (const [ratio, expected] of Object.entries(SCIPY)) {
    it(`matches SciPy resample_poly for up/down = ${ratio}`, () => {
      const [up, down] = ratio.split('/').map(Number) as [number, number];
      const y = resample(Float32Array.from(X), 1, designResampler(down * 1000, up * 1000));
      expect(y.length).toBe(expected.length);
      for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! - expected[i]!)).toBeLessThan(2e-6);
    });
  }

  it('8 kHz → 16 kHz reproduces a 1 kHz tone sampled at 16 kHz (away from the edges)', () => {
    const y = resample(tone(1000, 8000, 800), 1, designResampler(8000, 16000));
    const ref = tone(1000, 16000, 1600);
    let err = 0;
    for (let i = 100; i < 1500; i++) err = Math.max(err, Math.abs(y[i]! - ref[i]!));
    expect(err).toBeLessThan(2e-3);
  });

  it('16 kHz → 8 kHz removes a 6 kHz tone instead of aliasing it to 2 kHz (> 40 dB down)', () => {
    const inBand = resample(tone(1000, 16000, 3200), 1, designResampler(16000, 8000));
    const alias = resample(tone(6000, 16000, 3200), 1, designResampler(16000, 8000));
    expect(rms(inBand, 100, 1500)).toBeGreaterThan(0.69); // 1/√2 passes
    expect(20 * Math.log10(rms(alias, 100, 1500) / rms(inBand, 100, 1500))).toBeLessThan(-40);
    // what naive decimation would do: keep every other sample, the 6 kHz tone survives as 2 kHz
    const naive = tone(6000, 16000, 3200).filter((_, i) => i % 2 === 0);
    expect(rms(naive)).toBeGreaterThan(0.69);
  });

  it('keeps channels apart in interleaved multi-axis data', () => {
    const frames = 400;
    const a = tone(500, 8000, frames), b = tone(1500, 8000, frames, 0.5);
    const inter = new Float32Array(frames * 2);
    for (let f = 0; f < frames; f++) { inter[2 * f] = a[f]!; inter[2 * f + 1] = b[f]!; }
    const r = designResampler(8000, 16000);
    const y = resample(inter, 2, r);
    const ya = resample(a, 1, r), yb = resample(b, 1, r);
    for (let f = 0; f < 2 * frames; f++) { expect(y[2 * f]).toBe(ya[f]); expect(y[2 * f + 1]).toBe(yb[f]); }
  });
});

describe('transform/resample on samples', () => {
  const sample = (intervalMs: number, values: Float32Array): Sample => ({ id: 's', label: 'x', category: 'train', sensors: [{ name: 'audio', units: 'wav' }], intervalMs, values, shape: [values.length, 1], meta: { source: 'a.wav', sampleRateHz: 1000 / intervalMs } });
  const p = { frequencyHz: 16000, zeroCrossings: 10, kaiserBeta: 5 };

  it('updates interval, shape and meta; passes same-rate samples through', () => {
    const filters = new Map<string, Resampler>();
    const out = resampleSample(sample(0.125, tone(440, 8000, 1000)), p, filters);
    expect(out.intervalMs).toBe(0.0625);
    expect(out.shape).toEqual([2000, 1]);
    expect(out.meta?.['sampleRateHz']).toBe(16000);
    expect(filters.size).toBe(1);
    const same = sample(0.0625, tone(440, 16000, 10));
    expect(resampleSample(same, p, filters).values).toBe(same.values);
  });

  it('rejects images (no interval) as BAD_INPUT naming the source file', () => {
    expect(() => resampleSample(sample(0, new Float32Array(4)), p, new Map())).toThrow(/needs a time series/);
  });
});
