import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.js';

const v = (...x: number[]) => new Float32Array(x);

describe('normalize', () => {
  it('scale multiplies', () => {
    expect(normalize(v(1, -2, 3), 1, { method: 'scale', factor: 2, perAxis: true })).toEqual(v(2, -4, 6));
  });
  it('peak per axis and over all axes', () => {
    expect(normalize(v(1, 10, -2, 5), 2, { method: 'peak', factor: 1, perAxis: true })).toEqual(v(0.5, 1, -1, 0.5));
    expect(normalize(v(1, 10, -2, 5), 2, { method: 'peak', factor: 1, perAxis: false })).toEqual(v(0.1, 1, -0.2, 0.5));
  });
  it('minmax to [0, 1]; a constant axis becomes 0 rather than NaN', () => {
    expect(normalize(v(2, 7, 4, 7, 6, 7), 2, { method: 'minmax', factor: 1, perAxis: true })).toEqual(v(0, 0, 0.5, 0, 1, 0));
  });
  it('zscore gives mean 0 and std 1 per axis', () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 100 + Math.sin(i) * 5 : -3 + (i % 7)));
    const y = normalize(x, 2, { method: 'zscore', factor: 1, perAxis: true });
    for (const a of [0, 1]) {
      const col = y.filter((_, i) => i % 2 === a);
      const mean = col.reduce((s, t) => s + t, 0) / col.length;
      const std = Math.sqrt(col.reduce((s, t) => s + (t - mean) ** 2, 0) / col.length);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(std).toBeCloseTo(1, 4);
    }
  });
});
