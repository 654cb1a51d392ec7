import { describe, expect, test } from 'vitest';
import { principalComponents } from './pca.js';

describe('principalComponents', () => {
  test('finds the direction of largest variance and its share', () => {
    // Points spread along (1, 1, 0) with small noise on z: PC1 ∝ (1,1,0)/√2.
    const rows = Array.from({ length: 200 }, (_, i) => {
      const t = (i - 100) / 10;
      return Float32Array.from([t, t, Math.sin(i) * 0.01]);
    });
    const { projection, explained } = principalComponents(rows, 2);
    const first = projection.map((p) => p[0]!);
    // The projection on PC1 equals ±(t − mean t)·√2; mean t = −0.05.
    const ratio = first[150]! / ((150 - 100) / 10 + 0.05);
    expect(Math.abs(Math.abs(ratio) - Math.SQRT2)).toBeLessThan(1e-3);
    expect(explained[0]).toBeGreaterThan(0.999);
    expect(explained[1]).toBeLessThan(0.001);
  });
});
