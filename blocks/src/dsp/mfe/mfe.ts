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
import { applyFilterbank } from '../common/mel.js';

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
  power: Float64Array;
  mel: Float64Array;
  signal: Scratch;
}

export function createMfePlan(config: MfeConfig): MfePlan {
  const fft = createRealFftPlan(config.fftLength);
  return {
    config,
    fft,
    banks: new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency),
    power: new Float64Array(fft.bins),
    mel: new Float64Array(config.numFilters),
    signal: new Scratch(),
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

/** MFE of a single-axis signal (raw int16 values); `out` holds frames × numFilters values. */
export function mfe(plan: MfePlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): void {
  const { config, fft, power, mel } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const f32 = Math.fround;
  const y = plan.signal.get(length);
  const last = f32(signal[length - 1]! / 32768);
  let prev = last;
  for (let i = 0; i < length; i++) {
    const x = f32(signal[i]! / 32768);
    y[i] = f32(x - f32(PRE_COF * prev));
    prev = x;
  }
  const nf = config.numFilters;
  const floor = config.noiseFloorDb;
  const range = -floor + 12;
  for (let f = 0; f < layout.count; f++) {
    powerSpectrum(fft, y, f * layout.stride, layout.length, 1, power, 0);
    applyFilterbank(bank, power, 0, mel, 0);
    const row = f * nf;
    for (let i = 0; i < nf; i++) {
      const e = mel[i]!;
      const db = 10 * Math.log10(e < 1e-30 ? 1e-30 : e);
      let x = (db - floor) / range;
      x = x < 0 ? 0 : x > 1 ? 1 : x;
      out[row + i] = quantize256(x);
    }
  }
}
