import { DspError } from './dsp-error.js';

/**
 * Mel filterbank of Edge Impulse's speechpy fork (implementation version 4), stored sparse:
 * filter f covers bins `start[f] … start[f] + weights(f).length − 1`.
 */
export interface MelFilterbank {
  numFilters: number;
  /** Number of power bins the bank reads (fft_length/2 + 1). */
  bins: number;
  start: Int32Array;
  /** Offsets into `weights` per filter; filter f uses weights[offset[f] … offset[f+1]). */
  offset: Int32Array;
  weights: Float64Array;
}

export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}


/**
 * `numFilters + 2` points evenly spaced in mel from `lowHz` to `highHz` (numpy linspace
 * arithmetic), back to Hz with the last point lowered by 0.001 Hz, then bin = floor((fft+1)·hz/fs).
 * Triangles peak at 1 on the middle bin and are not area-normalised.
 */
export function createMelFilterbank(
  numFilters: number,
  fftLength: number,
  frequency: number,
  lowHz: number,
  highHz: number,
): MelFilterbank {
  const bins = fftLength / 2 + 1;
  const points = numFilters + 2;
  const melLow = hzToMel(lowHz);
  const melHigh = hzToMel(highHz);
  const step = (melHigh - melLow) / (points - 1);
  const binOf = new Int32Array(points);
  for (let i = 0; i < points; i++) {
    const mel = i === points - 1 ? melHigh : i * step + melLow;
    let hz = melToHz(mel);
    if (i === points - 1) hz -= 0.001;
    binOf[i] = Math.floor(((fftLength + 1) * hz) / frequency);
  }
  const start = new Int32Array(numFilters);
  const offset = new Int32Array(numFilters + 1);
  const all: number[] = [];
  for (let f = 0; f < numFilters; f++) {
    const left = binOf[f]!;
    const middle = binOf[f + 1]!;
    const right = Math.min(binOf[f + 2]!, bins - 1);
    start[f] = left;
    offset[f] = all.length;
    let nonZero = false;
    for (let x = left; x <= right; x++) {
      const w = triangle(x, left, middle, binOf[f + 2]!);
      if (w !== 0) nonZero = true;
      all.push(w);
    }
    if (!nonZero) {
      throw new DspError(
        `mel filter ${f} covers no FFT bin (bins ${left}…${binOf[f + 2]!}); use fewer filters, a longer FFT or a wider frequency range`,
      );
    }
  }
  offset[numFilters] = all.length;
  return { numFilters, bins, start, offset, weights: Float64Array.from(all) };
}

/** speechpy's triangle: rising on (left, middle], falling on [middle, right); the later rule wins. */
function triangle(x: number, left: number, middle: number, right: number): number {
  let w = 0;
  if (left < x && x <= middle) w = (x - left) / (middle - left);
  if (middle <= x && x < right) w = (right - x) / (right - middle);
  return w;
}

/** Mel energies of one power spectrum; an energy of exactly 0 becomes 1e-10 (as the reference). */
export function applyFilterbank(
  bank: MelFilterbank,
  power: Float64Array,
  powerOffset: number,
  out: Float64Array,
  outOffset: number,
): void {
  const { start, offset, weights, numFilters } = bank;
  for (let f = 0; f < numFilters; f++) {
    let sum = 0;
    const base = powerOffset + start[f]!;
    const w0 = offset[f]!;
    const w1 = offset[f + 1]!;
    for (let w = w0; w < w1; w++) sum += weights[w]! * power[base + w - w0]!;
    out[outOffset + f] = sum === 0 ? 1e-10 : sum;
  }
}

/**
 * Mel energies of `frames` power spectra, both frame-major (power[f·bins + b], out[f·numFilters + m]);
 * an energy of exactly 0 becomes 1e-10 (as the reference). Two partial sums per filter so the
 * adds overlap.
 */
export function melEnergies(bank: MelFilterbank, power: Float64Array, frames: number, out: Float64Array): void {
  const { start, offset, weights, numFilters, bins } = bank;
  for (let f = 0, o = 0; f < frames; f++) {
    const p0 = f * bins;
    for (let m = 0; m < numFilters; m++, o++) {
      const w0 = offset[m]!;
      const w1 = offset[m + 1]!;
      const base = p0 + start[m]! - w0;
      let s0 = 0;
      let s1 = 0;
      let w = w0;
      for (; w + 1 < w1; w += 2) {
        s0 += weights[w]! * power[base + w]!;
        s1 += weights[w + 1]! * power[base + w + 1]!;
      }
      if (w < w1) s0 += weights[w]! * power[base + w]!;
      const sum = s0 + s1;
      out[o] = sum === 0 ? 1e-10 : sum;
    }
  }
}
