/**
 * Spectral analysis kernel (Edge Impulse `spectral_analysis`, implementation version 4):
 * per axis, float32 scaling, optional Butterworth filter (float32 SOS), mean removal, then either
 * FFT features (RMS, skewness, kurtosis, spectral skewness/kurtosis, max-hold power per bin) or
 * wavelet statistics.
 */
import { createRealFftPlan, powerSpectrum, type RealFftPlan } from '../common/fft.js';
import { butterworthSos, float32Sos, sosfiltFloat32, sosIsStable, type FilterType } from '../common/butterworth.js';
import { kurtosisFromMoments, moments, skewFromMoments } from '../common/stats.js';
import { createWaveletPlan, wavedec, wavedecLengths, waveletStats, WAVELET_STATS, type WaveletPlan } from './wavelet.js';
import type { WaveletName } from './wavelet-filters.js';

export interface SpectralConfig {
  scaleAxes: number;
  filterType: FilterType | 'none';
  filterCutoff: number;
  filterOrder: number;
  analysisType: 'FFT' | 'Wavelet';
  fftLength: number;
  doLog: boolean;
  doFftOverlap: boolean;
  waveletLevel: number;
  wavelet: WaveletName;
}

/** Everything that depends on params and the sampling frequency, built once. */
export interface SpectralPlan {
  config: SpectralConfig;
  frequency: number;
  fft: RealFftPlan | null;
  /** float32 SOS rows [b0 b1 b2 a1 a2], or null when not filtering. */
  sos: Float32Array | null;
  /** FFT bins emitted: start … stop−1 (DC never). */
  binStart: number;
  binStop: number;
  wavelet: WaveletPlan | null;
  // Scratch, reused across calls.
  signal: Float32Array;
  filterState: Float32Array;
  power: Float64Array;
  maxPower: Float64Array;
}

import { DspError } from '../common/dsp-error.js';

/** Which FFT bins survive the filter mask, with the reference's float arithmetic. */
export function spectralBinRange(config: SpectralConfig, frequency: number): { start: number; stop: number } {
  const n = config.fftLength;
  const spacing = 1 / (n * (1 / frequency)); // numpy rfftfreq: k · 1/(n·d), d = 1/fs
  let start = -1;
  let stop = -1;
  for (let i = 1; i <= n / 2; i++) {
    const f = i * spacing;
    if (config.filterType === 'low' && f - spacing / 2 > config.filterCutoff) break;
    if (config.filterType === 'high' && f + spacing / 2 < config.filterCutoff) continue;
    if (start < 0) start = i;
    stop = i + 1;
  }
  if (start < 0) throw new DspError('the filter cut-off masks every FFT bin; raise the FFT length or move the cut-off');
  return { start, stop };
}

export function createSpectralPlan(config: SpectralConfig, frequency: number, maxLength = 0): SpectralPlan {
  let sos: Float32Array | null = null;
  if (config.filterType !== 'none' && config.filterOrder > 0) {
    const wn = (config.filterCutoff * 2) / frequency;
    if (wn >= 1) throw new DspError(`filter cut-off ${config.filterCutoff} Hz is at or above Nyquist (${frequency / 2} Hz)`);
    sos = float32Sos(butterworthSos(config.filterOrder, wn, config.filterType));
    if (!sosIsStable(sos)) throw new DspError('the filter is not stable in float32; move the cut-off away from 0 or Nyquist, or lower the order');
  }
  let fft: RealFftPlan | null = null;
  let binStart = 0;
  let binStop = 0;
  let wavelet: WaveletPlan | null = null;
  if (config.analysisType === 'FFT') {
    fft = createRealFftPlan(config.fftLength);
    ({ start: binStart, stop: binStop } = spectralBinRange(config, frequency));
  } else {
    wavelet = createWaveletPlan(config.wavelet, config.waveletLevel);
  }
  const bins = config.fftLength / 2 + 1;
  return {
    config,
    frequency,
    fft,
    sos,
    binStart,
    binStop,
    wavelet,
    signal: new Float32Array(maxLength),
    filterState: new Float32Array(sos ? sos.length : 0),
    power: new Float64Array(bins),
    maxPower: new Float64Array(bins),
  };
}

/** Features per axis. */
export function spectralFeaturesPerAxis(plan: SpectralPlan, length: number): number {
  if (plan.wavelet) return WAVELET_STATS * (plan.wavelet.level + 1);
  return 5 + (plan.binStop - plan.binStart);
}

/**
 * Computes the features of an interleaved `values` (frames × axes) into `out`
 * (axis by axis). `out` must hold axes × spectralFeaturesPerAxis values.
 */
export function spectralFeatures(plan: SpectralPlan, values: ArrayLike<number>, axes: number, out: Float32Array): void {
  const length = values.length / axes;
  if (plan.signal.length < length) {
    plan.signal = new Float32Array(length);
  }
  const x = plan.signal.subarray(0, length);
  const perAxis = spectralFeaturesPerAxis(plan, length);
  const scale = Math.fround(plan.config.scaleAxes);
  for (let ax = 0; ax < axes; ax++) {
    // float32 cast, scale, optional float32 filter.
    for (let i = 0; i < length; i++) x[i] = Math.fround(values[i * axes + ax]!) * scale;
    if (plan.sos) sosfiltFloat32(plan.sos, x, 0, length, 1, x, plan.filterState);
    // Mean removal in float32.
    let sum = 0;
    for (let i = 0; i < length; i++) sum += x[i]!;
    const mu = Math.fround(sum / length);
    for (let i = 0; i < length; i++) x[i] = x[i]! - mu;
    if (plan.wavelet) waveletAxis(plan.wavelet, x, out, ax * perAxis);
    else fftAxis(plan, x, out, ax * perAxis);
  }
}

function fftAxis(plan: SpectralPlan, x: Float32Array, out: Float32Array, at: number): void {
  const fft = plan.fft!;
  const n = fft.n;
  const length = x.length;
  const m = moments(x);
  let sq = 0;
  for (let i = 0; i < length; i++) sq += x[i]! * x[i]!;
  out[at] = Math.sqrt(sq / length);
  out[at + 1] = skewFromMoments(m);
  out[at + 2] = kurtosisFromMoments(m);
  // Max-hold power over frames of n samples, hop n/2 (overlap) or n; trailing frames zero-padded.
  const hop = plan.config.doFftOverlap ? n - Math.trunc(n / 2) : n;
  const { power, maxPower } = plan;
  const bins = fft.bins;
  maxPower.fill(0);
  for (let start = 0; start < length; start += hop) {
    powerSpectrum(fft, x, start, length - start, 1, power, 0);
    for (let k = 0; k < bins; k++) if (power[k]! > maxPower[k]!) maxPower[k] = power[k]!;
  }
  const pm = moments(maxPower, 0, bins);
  out[at + 3] = skewFromMoments(pm);
  out[at + 4] = kurtosisFromMoments(pm);
  let o = at + 5;
  for (let k = plan.binStart; k < plan.binStop; k++) {
    const p = maxPower[k]!;
    out[o++] = plan.config.doLog ? Math.log10(p === 0 ? 1e-10 : p) : p;
  }
}

function waveletAxis(plan: WaveletPlan, x: Float32Array, out: Float32Array, at: number): void {
  const coeffs = wavedec(plan, Float64Array.from(x));
  const scratch = new Float64Array(coeffs[0]!.length > x.length ? coeffs[0]!.length : x.length);
  coeffs.forEach((c, i) => waveletStats(c, scratch, out, at + i * WAVELET_STATS));
}

export { wavedecLengths };
