/**
 * MFCC kernel (Edge Impulse `mfcc`, implementation version 4): circular pre-emphasis on the
 * unscaled signal, rectangular frames cropped/zero-padded to the FFT length, mel energies, ln,
 * orthonormal DCT-II, c0 replaced by ln(frame energy), then sliding-window CMVN (cmvnw).
 */
import { audioFrames, FilterbankCache, Scratch } from '../common/audio.js';
import { createRealFftPlan, powerSpectrum, type RealFftPlan } from '../common/fft.js';
import { applyFilterbank } from '../common/mel.js';

export interface MfccConfig {
  frameLength: number;
  frameStride: number;
  numFilters: number;
  fftLength: number;
  numCepstral: number;
  /** Frames in the cmvnw window (odd); 0 turns normalisation off. */
  winSize: number;
  lowFrequency: number;
  /** 0 means half the sampling frequency. */
  highFrequency: number;
  preCof: number;
  preShift: number;
}

export interface MfccPlan {
  config: MfccConfig;
  fft: RealFftPlan;
  banks: FilterbankCache;
  /** cos table of the DCT-II rows 1…numCepstral−1, orthonormal scale folded in. */
  dct: Float64Array;
  power: Float64Array;
  mel: Float64Array;
  signal: Scratch;
  cepstra: Scratch;
  cmvn: Scratch;
}

export function createMfccPlan(config: MfccConfig): MfccPlan {
  const fft = createRealFftPlan(config.fftLength);
  const n = config.numFilters;
  const dct = new Float64Array(config.numCepstral * n);
  for (let k = 1; k < config.numCepstral; k++) {
    const scale = Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) dct[k * n + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  return {
    config,
    fft,
    banks: new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency),
    dct,
    power: new Float64Array(fft.bins),
    mel: new Float64Array(n),
    signal: new Scratch(),
    cepstra: new Scratch(),
    cmvn: new Scratch(),
  };
}

/** Output shape [frames, numCepstral] for a signal of `length` samples (throws DspError if unusable). */
export function mfccShape(config: MfccConfig, frequency: number, length: number): [number, number] {
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  return [layout.count, config.numCepstral];
}

/** MFCC of a single-axis signal; `out` holds frames × numCepstral values, frame-major. */
export function mfcc(plan: MfccPlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): void {
  const { config, fft, power, mel, dct } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const nc = config.numCepstral;
  const nf = config.numFilters;
  // Circular pre-emphasis: y[i] = x[i] − cof·x[(i − shift) mod N].
  const y = plan.signal.get(length);
  const shift = ((config.preShift % length) + length) % length;
  for (let i = 0; i < length; i++) {
    const j = i - shift;
    y[i] = signal[i]! - config.preCof * signal[j < 0 ? j + length : j]!;
  }
  const cep = plan.cepstra.get(layout.count * nc);
  for (let f = 0; f < layout.count; f++) {
    powerSpectrum(fft, y, f * layout.stride, layout.length, 1, power, 0);
    let energy = 0;
    for (let k = 0; k < fft.bins; k++) energy += power[k]!;
    applyFilterbank(bank, power, 0, mel, 0);
    for (let i = 0; i < nf; i++) mel[i] = Math.log(mel[i]!);
    const row = f * nc;
    cep[row] = Math.log(energy === 0 ? 1e-10 : energy);
    for (let k = 1; k < nc; k++) {
      let sum = 0;
      const d = k * nf;
      for (let i = 0; i < nf; i++) sum += dct[d + i]! * mel[i]!;
      cep[row + k] = sum;
    }
  }
  if (config.winSize > 0) cmvnw(cep, layout.count, nc, config.winSize, plan.cmvn, out);
  else for (let i = 0; i < layout.count * nc; i++) out[i] = cep[i]!;
}

/**
 * speechpy's cmvnw with variance normalisation: subtract the mean of a `win`-frame window, then
 * divide by (population std of the mean-subtracted values in the window + 1e-10). Windows are
 * padded with numpy's 'symmetric' mode, which keeps reflecting when the pad exceeds the sequence.
 * Sliding sums over the padded sequence make it O(rows) instead of O(rows·win); the intermediate
 * is rounded to float32 like the reference's buffers.
 */
export function cmvnw(vec: Float64Array, rows: number, cols: number, win: number, scratch: Scratch, out: Float32Array): void {
  const pad = (win - 1) / 2;
  const padded = rows + 2 * pad;
  // Layout of scratch: [ms: rows·cols][prefix sums S1: (padded+1)·cols][S2: (padded+1)·cols]
  const buf = scratch.get(rows * cols + 2 * (padded + 1) * cols);
  const ms = buf.subarray(0, rows * cols);
  const s1 = buf.subarray(rows * cols, rows * cols + (padded + 1) * cols);
  const s2 = buf.subarray(rows * cols + (padded + 1) * cols, rows * cols + 2 * (padded + 1) * cols);
  // Pass 1: sliding mean.
  prefixSums(vec, rows, cols, pad, s1, null);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const mean = (s1[(i + win) * cols + c]! - s1[i * cols + c]!) / win;
      ms[i * cols + c] = Math.fround(vec[i * cols + c]! - mean);
    }
  }
  // Pass 2: sliding std of the mean-subtracted values.
  prefixSums(ms, rows, cols, pad, s1, s2);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const a = (s1[(i + win) * cols + c]! - s1[i * cols + c]!) / win;
      const b = (s2[(i + win) * cols + c]! - s2[i * cols + c]!) / win;
      const variance = b - a * a;
      const std = Math.fround(Math.sqrt(variance > 0 ? variance : 0));
      out[i * cols + c] = ms[i * cols + c]! / Math.fround(std + 1e-10);
    }
  }
}

/** Prefix sums (and sums of squares when `sq` is given) over the symmetric-padded sequence. */
function prefixSums(vec: Float64Array, rows: number, cols: number, pad: number, s: Float64Array, sq: Float64Array | null): void {
  const padded = rows + 2 * pad;
  const period = 2 * rows;
  for (let c = 0; c < cols; c++) {
    s[c] = 0;
    if (sq) sq[c] = 0;
  }
  for (let p = 0; p < padded; p++) {
    let m = (p - pad) % period;
    if (m < 0) m += period;
    const src = (m < rows ? m : period - 1 - m) * cols;
    const at = p * cols;
    const next = at + cols;
    for (let c = 0; c < cols; c++) {
      const v = vec[src + c]!;
      s[next + c] = s[at + c]! + v;
      if (sq) sq[next + c] = sq[at + c]! + v * v;
    }
  }
}
