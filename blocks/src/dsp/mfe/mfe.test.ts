import { describe, expect, it } from 'vitest';
import { createMfePlan, mfe, mfeShape, quantisationLut, quantize256, quantizeEnergy, quantizeMelEnergy, roundHalfEven } from './mfe.js';

describe('mfe quantisation', () => {
  it('rounds half to even like numpy.around', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2, 3]);
  });
  it('saturates at 255/256 where Edge Impulse wraps to 0 (deliberate fix of a uint8 overflow)', () => {
    // EI: np.uint8(np.around(x·256)) turns 256 into 0, so its loudest cells read as silence.
    expect(quantize256(1)).toBe(255 / 256);
    expect(quantize256(255.5 / 256)).toBe(255 / 256);
    expect(quantize256(255.49 / 256)).toBe(255 / 256);
    expect(quantize256(254.5 / 256)).toBe(254 / 256);
    expect(quantize256(0)).toBe(0);
  });
  it('keeps a full-scale tone at the top step instead of wrapping it to 0', () => {
    const config = { frameLength: 0.064, frameStride: 0.032, numFilters: 10, fftLength: 1024, lowFrequency: 0, highFrequency: 0, noiseFloorDb: -52 };
    const plan = createMfePlan(config);
    const square = Float32Array.from({ length: 16000 }, (_, i) => (Math.floor(i / 8) % 2 === 0 ? 32767 : -32768));
    const [frames, nf] = mfeShape(config, 16000, square.length);
    const out = new Float32Array(frames * nf);
    mfe(plan, square, 16000, out);
    const values = Array.from(out);
    expect(Math.max(...values)).toBe(255 / 256);
    // Every value is a step of 1/256.
    expect(values.every((v) => Number.isInteger(v * 256))).toBe(true);
  });
});

describe('mfe quantisation lookup', () => {
  /** The neighbouring doubles of a positive x. */
  function neighbours(x: number): number[] {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    const out: number[] = [];
    for (const d of [-2n, -1n, 0n, 1n, 2n]) {
      const g = new BigInt64Array([b[0]! + d]);
      out.push(new Float64Array(g.buffer)[0]!);
    }
    return out;
  }
  for (const floor of [-52, -72, -40, -100, 0, 11.5]) {
    it(`gives the formula's step for every energy, noise floor ${floor} dB`, () => {
      const lut = quantisationLut(floor);
      const energies: number[] = [0, 1e-300, 1e-30, 1e-10, 1e30, Infinity];
      // Both sides of every step edge, to the last bit.
      for (let k = 1; k <= 255; k++) energies.push(...neighbours(lut.thresholds[k]!));
      // And random energies over 40 decades.
      let seed = 5;
      for (let i = 0; i < 20000; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        energies.push(10 ** ((seed / 2 ** 32) * 40 - 20 + floor / 10));
      }
      let steps = 0;
      for (const e of energies) {
        const expected = quantizeEnergy(e, floor);
        expect(quantizeMelEnergy(lut, e), `energy ${e}`).toBe(expected);
        if (expected > 0 && expected < 255 / 256) steps++;
      }
      expect(steps).toBeGreaterThan(1000); // the random energies do land between the ends
    });
  }
});
