import { describe, expect, it } from 'vitest';
import { butterworthSos, float32Sos, sosfiltFloat32, sosIsStable } from './butterworth.js';

/** |H(e^{iω})| of a cascade of biquads [b0 b1 b2 a0 a1 a2]. */
function magnitude(rows: number[][], omega: number): number {
  let mag = 1;
  for (const [b0, b1, b2, , a1, a2] of rows as [number, number, number, number, number, number][]) {
    const c1 = Math.cos(omega), s1 = Math.sin(omega), c2 = Math.cos(2 * omega), s2 = Math.sin(2 * omega);
    const nr = b0 + b1 * c1 + b2 * c2, ni = -(b1 * s1 + b2 * s2);
    const dr = 1 + a1 * c1 + a2 * c2, di = -(a1 * s1 + a2 * s2);
    mag *= Math.hypot(nr, ni) / Math.hypot(dr, di);
  }
  return mag;
}

describe('Butterworth SOS design', () => {
  for (const order of [2, 4, 6, 8]) {
    for (const wn of [0.04, 0.2, 0.6]) {
      it(`low-pass order ${order}, Wn ${wn}: 1 at DC, 1/√2 at the cut-off, 0 at Nyquist, maximally flat`, () => {
        const rows = butterworthSos(order, wn, 'low');
        expect(rows).toHaveLength(order / 2);
        expect(magnitude(rows, 0)).toBeCloseTo(1, 10);
        expect(magnitude(rows, Math.PI * wn)).toBeCloseTo(Math.SQRT1_2, 10);
        expect(magnitude(rows, Math.PI)).toBeLessThan(1e-9);
        // Butterworth: |H|² = 1/(1 + (tan(ω/2)/tan(ωc/2))^(2N)) after the bilinear transform.
        const w = Math.PI * wn * 0.7;
        const ratio = Math.tan(w / 2) / Math.tan((Math.PI * wn) / 2);
        expect(magnitude(rows, w)).toBeCloseTo(1 / Math.sqrt(1 + ratio ** (2 * order)), 9);
      });
      it(`high-pass order ${order}, Wn ${wn}: 0 at DC, 1/√2 at the cut-off, 1 at Nyquist`, () => {
        const rows = butterworthSos(order, wn, 'high');
        expect(magnitude(rows, 0)).toBeLessThan(1e-9);
        expect(magnitude(rows, Math.PI * wn)).toBeCloseTo(Math.SQRT1_2, 10);
        expect(magnitude(rows, Math.PI)).toBeCloseTo(1, 10);
      });
    }
  }

  it('puts the poles closest to the unit circle in the last section (scipy pairing)', () => {
    const rows = butterworthSos(8, 0.4, 'low');
    const radii = rows.map((r) => Math.sqrt(r[5]!));
    for (let i = 1; i < radii.length; i++) expect(radii[i]!).toBeGreaterThan(radii[i - 1]!);
    expect(rows[0]![0]).toBeLessThan(1); // the gain sits on the first section
    expect(rows[1]!.slice(0, 3)).toEqual([1, 2, 1]);
  });

  it('rejects odd orders and cut-offs outside (0, 1)', () => {
    expect(() => butterworthSos(3, 0.2, 'low')).toThrow(RangeError);
    expect(() => butterworthSos(4, 1, 'low')).toThrow(RangeError);
  });

  it('filters in float32 close to a float64 cascade, and flags unstable float32 sections', () => {
    const rows = butterworthSos(4, 0.2, 'low');
    const sos = float32Sos(rows);
    expect(sosIsStable(sos)).toBe(true);
    const x = Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.3) + 0.5 * Math.sin(i * 2.1));
    const out = new Float32Array(200);
    sosfiltFloat32(sos, x, 0, 200, 1, out, new Float32Array(rows.length * 2));
    // float64 reference: direct form I per section with the float32 coefficients.
    let y = x.slice();
    for (let s = 0; s < rows.length; s++) {
      const [b0, b1, b2, a1, a2] = Array.from(sos.subarray(s * 5, s * 5 + 5)) as [number, number, number, number, number];
      const next: number[] = [];
      for (let n = 0; n < y.length; n++) {
        next.push(b0 * y[n]! + b1 * (y[n - 1] ?? 0) + b2 * (y[n - 2] ?? 0) - a1 * (next[n - 1] ?? 0) - a2 * (next[n - 2] ?? 0));
      }
      y = next;
    }
    y.forEach((v, i) => expect(Math.abs(out[i]! - v)).toBeLessThan(1e-5));
    // The high-frequency component (ω = 2.1 ≫ 0.2π) is gone after the transient.
    expect(Math.max(...Array.from(out.subarray(100)).map(Math.abs))).toBeLessThan(1.05);
    expect(sosIsStable(Float32Array.from([1, 2, 1, -2.1, 1.2]))).toBe(false);
  });
});
