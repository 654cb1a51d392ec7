/**
 * MFE kernel (Edge Impulse `mfe`, implementation version 4): x/2^15 in float32, circular
 * pre-emphasis (0.98, shift 1) in float32, rectangular frames cropped/zero-padded to the FFT
 * length, mel energies, dB, noise-floor normalisation, 8-bit quantisation (k/256).
 *
 * Deliberate difference from the reference: Edge Impulse casts round(x·256) to uint8 before
 * clipping, so a cell that rounds to 256/256 (the loudest ones) wraps to 0. That is a bug (the
 * loudest energy reads as silence); here such a cell saturates at 255/256. See mfe.test.ts.
 */
import { audioFrames, FilterbankCache, Scratch } from '../common/audio.js';
import { createRealFftPlan, powerSpectrum, type RealFftPlan } from '../common/fft.js';
import { applyFilterbankFrames } from '../common/mel.js';

export interface MfeConfig {
  frameLength: number;
  frameStride: number;
  numFilters: number;
  fftLength: number;
  lowFrequency: number;
  /** 0 means half the sampling frequency. */
  highFrequency: number;
  noiseFloorDb: number;
}

export interface MfePlan {
  config: MfeConfig;
  fft: RealFftPlan;
  banks: FilterbankCache;
  /** Power spectra of all frames, bin-major. */
  power: Scratch;
  /** Mel energies of all frames, filter-major. */
  mel: Scratch;
  signal: Scratch;
  /** thresholds[k]: the smallest mel energy that quantises to at least k/256 (k = 1…255). */
  thresholds: Float64Array;
}

export function createMfePlan(config: MfeConfig): MfePlan {
  const fft = createRealFftPlan(config.fftLength);
  return {
    config,
    fft,
    banks: new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency),
    power: new Scratch(),
    mel: new Scratch(),
    signal: new Scratch(),
    thresholds: quantisationThresholds(config.noiseFloorDb),
  };
}

export function mfeShape(config: MfeConfig, frequency: number, length: number): [number, number] {
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  return [layout.count, config.numFilters];
}

const PRE_COF = Math.fround(0.98);

/** Round half to even, like numpy.around. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantises a normalised value in [0, 1] to k/256, saturating at 255/256 (no wrap to 0). */
export function quantize256(x: number): number {
  const q = roundHalfEven(x * 256);
  return (q > 255 ? 255 : q) / 256;
}

/** The MFE output step (k/256) of one mel energy, by the reference formula (dB, noise floor, clip, round). */
export function quantizeEnergy(energy: number, noiseFloorDb: number): number {
  const db = 10 * Math.log10(energy < 1e-30 ? 1e-30 : energy);
  let x = (db - noiseFloorDb) / (-noiseFloorDb + 12);
  x = x < 0 ? 0 : x > 1 ? 1 : x;
  return quantize256(x);
}

/**
 * The energies where `quantizeEnergy` steps up: thresholds[k] is the smallest double e with
 * quantizeEnergy(e) ≥ k/256, found by bisection on the bit patterns (positive doubles sort like
 * their bits). Comparing against these gives exactly the formula's result without a log per cell.
 */
export function quantisationThresholds(noiseFloorDb: number): Float64Array {
  const value = new Float64Array(1);
  const bits = new BigInt64Array(value.buffer);
  const thresholds = new Float64Array(256);
  thresholds[0] = -Infinity;
  let lo = 0n;
  for (let k = 1; k <= 255; k++) {
    let hi = 0x7ff0000000000000n; // +Infinity
    // Invariant: quantizeEnergy(lo) < k/256 ≤ quantizeEnergy(hi).
    while (hi - lo > 1n) {
      const mid = (lo + hi) >> 1n;
      bits[0] = mid;
      if (quantizeEnergy(value[0]!, noiseFloorDb) * 256 >= k) hi = mid;
      else lo = mid;
    }
    bits[0] = hi;
    thresholds[k] = value[0]!;
  }
  return thresholds;
}

/** k/256 for the largest k with thresholds[k] ≤ energy (a branch-light binary search over 255 steps). */
function quantizeByThresholds(t: Float64Array, e: number): number {
  let k = 0;
  if (e >= t[k + 128]!) k += 128;
  if (e >= t[k + 64]!) k += 64;
  if (e >= t[k + 32]!) k += 32;
  if (e >= t[k + 16]!) k += 16;
  if (e >= t[k + 8]!) k += 8;
  if (e >= t[k + 4]!) k += 4;
  if (e >= t[k + 2]!) k += 2;
  if (e >= t[k + 1]!) k += 1;
  return k / 256;
}

/**
 * MFE of a single-axis signal (raw int16 values); `out` holds frames × numFilters values.
 * Returns false when the signal holds a NaN or ±Infinity (the caller then names it).
 */
export function mfe(plan: MfePlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): boolean {
  const { config, fft, thresholds } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const y = plan.signal.get(length);
  const finite = preEmphasis32(signal, y);
  const nf = config.numFilters;
  const frames = layout.count;
  const power = plan.power.get(fft.bins * frames);
  const mel = plan.mel.get(nf * frames);
  for (let f = 0; f < frames; f++) powerSpectrum(fft, y, f * layout.stride, layout.length, 1, power, f, frames);
  applyFilterbankFrames(bank, power, frames, mel);
  for (let i = 0; i < nf; i++) {
    for (let f = 0, at = i * frames; f < frames; f++, at++) out[f * nf + i] = quantizeByThresholds(thresholds, mel[at]!);
  }
  return finite;
}

/**
 * x/2^15 then circular pre-emphasis (0.98, shift 1), all float32 like the reference. x/2^15 of a
 * float32 is exact, so only the product and the difference need rounding. The input sum rides
 * along as the NaN/Inf check (finite exactly when every value is, barring overflow).
 */
function preEmphasis32(signal: ArrayLike<number>, y: Float64Array): boolean {
  const f32 = Math.fround;
  const length = signal.length;
  let prev = f32(signal[length - 1]! / 32768);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const s = signal[i]!;
    const x = f32(s / 32768);
    y[i] = f32(x - f32(PRE_COF * prev));
    prev = x;
    sum += s;
  }
  return Number.isFinite(sum);
}
