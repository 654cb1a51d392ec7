import { describe, expect, it } from 'vitest';
import { createRealFftPlan, isPowerOfTwo, powerSpectrum } from './fft.js';

/** Direct O(n²) DFT power |X[k]|²/n of a zero-padded/cropped frame. */
function naivePower(frame: number[], n: number): number[] {
  const x = Array.from({ length: n }, (_, i) => (i < frame.length ? frame[i]! : 0));
  const out: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
    }
    out.push((re * re + im * im) / n);
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('real FFT plan', () => {
  it('knows powers of two', () => {
    expect([1, 2, 4, 1024].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 6, 100, 0.5].some(isPowerOfTwo)).toBe(false);
    expect(() => createRealFftPlan(12)).toThrow(RangeError);
  });

  for (const n of [2, 4, 8, 16, 64, 256, 1024]) {
    for (const frameLength of [n, Math.max(1, n / 2 + 3), n * 2]) {
      it(`matches a direct DFT for n=${n}, frame of ${frameLength}`, () => {
        const rand = lcg(n * 31 + frameLength);
        const axes = 3;
        const interleaved = Array.from({ length: frameLength * axes }, () => rand() * 1000);
        const plan = createRealFftPlan(n);
        const out = new Float64Array(plan.bins);
        powerSpectrum(plan, interleaved, 1, frameLength, axes, out);
        const frame = Array.from({ length: frameLength }, (_, i) => interleaved[i * axes + 1]!);
        const expected = naivePower(frame, n);
        const scale = Math.max(...expected);
        expected.forEach((e, k) => expect(Math.abs(out[k]! - e)).toBeLessThan(1e-10 * scale));
      });
    }
  }
});
