import { describe, expect, it } from 'vitest';
import { createWaveletPlan, dwtLength, wavedec, waveletStats } from './wavelet.js';
import { WAVELET_FILTERS, WAVELET_NAMES } from './wavelet-filters.js';

describe('wavelet decomposition', () => {
  it('has orthonormal low-pass filters for the orthogonal families', () => {
    for (const name of WAVELET_NAMES.filter((n) => /^(db|sym|coif|haar)/.test(n))) {
      const lo = WAVELET_FILTERS[name].decLo;
      expect(lo.reduce((a, b) => a + b * b, 0)).toBeCloseTo(1, 10);
      expect(lo.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.SQRT2, 10);
    }
  });
  it('haar keeps the energy of an even-length signal and gives pairwise sums/differences', () => {
    const x = Float64Array.from([4, 2, -1, 3, 0, 0, 5, 7].map(Math.fround));
    const [cA, cD] = wavedec(createWaveletPlan('haar', 1), x);
    expect(cA!.length).toBe(dwtLength(8, 2));
    const energy = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);
    expect(energy(cA!) + energy(cD!)).toBeCloseTo(energy(x), 4);
    expect(cA![0]).toBeCloseTo((4 + 2) / Math.SQRT2, 5);
    expect(Math.abs(cD![0]!)).toBeCloseTo(Math.abs(4 - 2) / Math.SQRT2, 5);
  });
  it('gives wavedec lengths floor((n + F − 1)/2) per level, approximation first', () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i / 5));
    const coeffs = wavedec(createWaveletPlan('sym4', 2), x);
    expect(coeffs.map((c) => c.length)).toEqual([55, 55, 103]); // (200+7)//2 = 103, (103+7)//2 = 55
  });
  it('computes the 14 statistics', () => {
    const c = Float64Array.from([3, -1, 2, -4, 5, 0, 1, -2, 6, -3]);
    const out = new Float32Array(14);
    waveletStats(c, new Float64Array(10), out, 0);
    const sorted = Array.from(c).sort((a, b) => a - b);
    const mean = 0.7;
    expect(out[1]).toBeCloseTo(9 / 10, 6); // c > 0 alternates T F T F … : 9 changes over 10 values
    expect(out[3]).toBe(sorted[0]); // n5 → index int(9·0.05 + 0.5) = 0
    expect(out[7]).toBe(sorted[5]); // median → index int(4.5 + 0.5) = 5
    expect(out[8]).toBeCloseTo(mean, 6);
    const m2 = Array.from(c).reduce((a, v) => a + (v - mean) ** 2, 0) / 10;
    expect(out[9]).toBeCloseTo(Math.sqrt(m2), 5);
    expect(out[10]).toBeCloseTo((m2 * 10) / 9, 5);
    // Entropy of 10 distinct values spread over 100 bins: each value its own bin → ln 10.
    expect(out[0]).toBeCloseTo(Math.log(10), 6);
  });
});
