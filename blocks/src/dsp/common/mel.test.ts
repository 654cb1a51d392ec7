import { describe, expect, it } from 'vitest';
import { applyFilterbank, createMelFilterbank, melEnergies } from './mel.js';

describe('melEnergies (all frames at once)', () => {
  for (const [filters, fft, low, high] of [[32, 256, 0, 8000], [40, 256, 0, 8000], [25, 128, 100, 6000], [48, 1024, 50, 7000]] as const) {
    it(`equals applyFilterbank frame by frame (${filters} filters, FFT ${fft}, ${low}–${high} Hz)`, () => {
      const bank = createMelFilterbank(filters, fft, 16000, low, high);
      const frames = 7;
      let seed = filters;
      const power = Float64Array.from({ length: frames * bank.bins }, (_, i) => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        // Powers over many decades, and whole silent frames (every energy then becomes 1e-10).
        return Math.floor(i / bank.bins) === 3 ? 0 : 10 ** ((seed / 2 ** 32) * 12 - 2);
      });
      const out = new Float64Array(frames * filters);
      melEnergies(bank, power, frames, out);
      const one = new Float64Array(filters);
      for (let f = 0; f < frames; f++) {
        applyFilterbank(bank, power, f * bank.bins, one, 0);
        // Same terms, summed in two interleaved halves: equal to rounding.
        for (let m = 0; m < filters; m++) expect(Math.abs(out[f * filters + m]! - one[m]!)).toBeLessThanOrEqual(1e-14 * one[m]!);
      }
      expect(Array.from(out.subarray(3 * filters, 4 * filters))).toEqual(new Array(filters).fill(1e-10));
    });
  }
});
