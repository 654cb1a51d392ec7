import { describe, expect, it } from 'vitest';
import { createMfePlan, mfe, mfeShape, quantize256, roundHalfEven } from './mfe.js';

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
