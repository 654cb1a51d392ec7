import { describe, expect, it } from 'vitest';
import { frameLayout, samplesFor } from './framing.js';
import { createMelFilterbank, hzToMel, melToHz } from './mel.js';
import { DspError } from './dsp-error.js';
import { moments, kurtosisFromMoments, skewFromMoments } from './stats.js';
import { frequencyOf } from './sample-input.js';

describe('framing', () => {
  it('floors products just above an integer and ceils the rest', () => {
    expect(16000 * 0.0300000001).toBeGreaterThan(480);
    expect(samplesFor(16000, 0.0300000001)).toBe(480);
    expect(samplesFor(16000, 0.03)).toBe(480);
    expect(samplesFor(16000, 0.02)).toBe(320);
    expect(samplesFor(16000, 0.0201)).toBe(322);
    expect(samplesFor(50, 0.5)).toBe(25);
  });
  it('counts whole frames only', () => {
    expect(frameLayout(16000, 0.02, 0.02, 16000).count).toBe(50);
    expect(frameLayout(16000, 0.02, 0.01, 16000).count).toBe(99);
    expect(frameLayout(16000, 0.032, 0.016, 16000).count).toBe(61);
    expect(frameLayout(16000, 0.02, 0.01, 100).count).toBeLessThan(1);
  });
  it('snaps near-integer frequencies from intervalMs', () => {
    expect(frequencyOf(1000 / 44100)).toBe(44100);
    expect(frequencyOf(0.0625)).toBe(16000);
    expect(frequencyOf(3)).toBeCloseTo(333.333, 3);
  });
});

describe('mel filterbank', () => {
  it('round-trips mel and Hz', () => {
    for (const hz of [0, 100, 1000, 8000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 8);
  });
  it('builds triangles that peak at 1 and tile the band', () => {
    const bank = createMelFilterbank(32, 256, 16000, 0, 8000);
    for (let f = 0; f < 32; f++) {
      const w = bank.weights.subarray(bank.offset[f]!, bank.offset[f + 1]!);
      expect(Math.max(...w)).toBe(1);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
    }
    // Last filter ends at or below the Nyquist bin.
    const last = bank.start[31]! + bank.offset[32]! - bank.offset[31]! - 1;
    expect(last).toBeLessThanOrEqual(128);
  });
  it('refuses a filter that covers no bin', () => {
    expect(() => createMelFilterbank(80, 64, 16000, 0, 8000)).toThrow(DspError);
  });
});

describe('moment statistics', () => {
  it('match the textbook formulas on a skewed sample', () => {
    const x = [1, 2, 2, 3, 3, 3, 10];
    const n = x.length;
    const mu = x.reduce((a, b) => a + b) / n;
    const m2 = x.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
    const m3 = x.reduce((a, b) => a + (b - mu) ** 3, 0) / n;
    const m4 = x.reduce((a, b) => a + (b - mu) ** 4, 0) / n;
    const m = moments(x);
    expect(skewFromMoments(m)).toBeCloseTo(m3 / m2 ** 1.5, 12);
    expect(kurtosisFromMoments(m)).toBeCloseTo(m4 / m2 ** 2 - 3, 12);
    expect(skewFromMoments(m)).toBeGreaterThan(1);
  });
  it('give 0 (not NaN) for a constant input', () => {
    const m = moments([4, 4, 4, 4]);
    expect(skewFromMoments(m)).toBe(0);
    expect(kurtosisFromMoments(m)).toBe(0);
  });
});
