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

/**
 * MFCC of a single-axis signal; `out` holds frames × numCepstral values, frame-major. Returns
 * false when the signal holds a NaN or ±Infinity (checked on the way, so the caller can skip its
 * own scan and report the exact value only then); `out` is meaningless in that case.
 */
export function mfcc(plan: MfccPlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): boolean {
  const { config, fft, power, mel, dct } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const nc = config.numCepstral;
  const nf = config.numFilters;
  const y = plan.signal.get(length);
  const finite = preEmphasis(signal, config.preCof, config.preShift, y);
  const cep = plan.cepstra.get(layout.count * nc);
  for (let f = 0; f < layout.count; f++) {
    const energy = powerSpectrum(fft, y, f * layout.stride, layout.length, 1, power, 0);
    applyFilterbank(bank, power, 0, mel, 0);
    for (let i = 0; i < nf; i++) mel[i] = Math.log(mel[i]!);
    const row = f * nc;
    cep[row] = Math.log(energy === 0 ? 1e-10 : energy);
    dctRows(dct, mel, nf, nc, cep, row);
  }
  if (config.winSize > 0) cmvnw(cep, layout.count, nc, config.winSize, plan.cmvn, out);
  else for (let i = 0; i < layout.count * nc; i++) out[i] = cep[i]!;
  return finite;
}

/** cep[row + k] = Σ_i dct[k·nf + i]·mel[i] for k ≥ 1; four partial sums so the adds overlap. */
function dctRows(dct: Float64Array, mel: Float64Array, nf: number, nc: number, cep: Float64Array, row: number): void {
  const n4 = nf & ~3;
  for (let k = 1, d = nf; k < nc; k++, d += nf) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i < n4; i += 4) {
      s0 += dct[d + i]! * mel[i]!;
      s1 += dct[d + i + 1]! * mel[i + 1]!;
      s2 += dct[d + i + 2]! * mel[i + 2]!;
      s3 += dct[d + i + 3]! * mel[i + 3]!;
    }
    for (; i < nf; i++) s0 += dct[d + i]! * mel[i]!;
    cep[row + k] = s0 + s1 + (s2 + s3);
  }
}

/**
 * Circular pre-emphasis y[i] = x[i] − cof·x[(i − shift) mod N] into `y`. Also sums the input:
 * the sum is finite exactly when every value is (or it overflowed, which the caller's exact scan
 * then clears), so the NaN/Inf check costs one add per sample instead of its own pass.
 */
function preEmphasis(x: ArrayLike<number>, cof: number, preShift: number, y: Float64Array): boolean {
  const n = x.length;
  const shift = ((preShift % n) + n) % n;
  for (let i = 0; i < shift; i++) y[i] = x[i]! - cof * x[i - shift + n]!;
  let s0 = 0;
  let s1 = 0;
  let i = shift;
  for (; i + 1 < n; i += 2) {
    const a = x[i]!;
    const b = x[i + 1]!;
    y[i] = a - cof * x[i - shift]!;
    y[i + 1] = b - cof * x[i + 1 - shift]!;
    s0 += a;
    s1 += b;
  }
  for (; i < n; i++) {
    y[i] = x[i]! - cof * x[i - shift]!;
    s0 += x[i]!;
  }
  for (let k = 0; k < shift; k++) s1 += x[k]!;
  return Number.isFinite(s0 + s1);
}

/**
 * speechpy's cmvnw with variance normalisation: subtract the mean of a `win`-frame window, then
 * divide by (population std of the mean-subtracted values in the window + 1e-10). Windows are
 * padded with numpy's 'symmetric' mode, which keeps reflecting when the pad exceeds the sequence.
 * Prefix sums over the padded column make it O(rows) instead of O(rows·win); the intermediate
 * is rounded to float32 like the reference's buffers. Works one column at a time so every
 * array it touches is small.
 */
export function cmvnw(vec: Float64Array, rows: number, cols: number, win: number, scratch: Scratch, out: Float32Array): void {
  const pad = (win - 1) / 2;
  const padded = rows + 2 * pad;
  const src = reflectionIndex(rows, pad);
  // Layout of scratch: [ms: rows][S1: padded+1][S2: padded+1]
  const buf = scratch.get(rows + 2 * (padded + 1));
  const s1 = rows;
  const s2 = rows + padded + 1;
  const f32 = Math.fround;
  const invWin = 1 / win;
  for (let c = 0; c < cols; c++) {
    // Pass 1: sliding mean.
    let sum = 0;
    buf[s1] = 0;
    for (let p = 0; p < padded; p++) {
      sum += vec[src[p]! * cols + c]!;
      buf[s1 + p + 1] = sum;
    }
    for (let i = 0; i < rows; i++) {
      const mean = (buf[s1 + i + win]! - buf[s1 + i]!) * invWin;
      buf[i] = f32(vec[i * cols + c]! - mean);
    }
    // Pass 2: sliding std of the mean-subtracted values.
    sum = 0;
    let sumSq = 0;
    buf[s1] = 0;
    buf[s2] = 0;
    for (let p = 0; p < padded; p++) {
      const v = buf[src[p]!]!;
      sum += v;
      sumSq += v * v;
      buf[s1 + p + 1] = sum;
      buf[s2 + p + 1] = sumSq;
    }
    for (let i = 0; i < rows; i++) {
      const a = (buf[s1 + i + win]! - buf[s1 + i]!) * invWin;
      const b = (buf[s2 + i + win]! - buf[s2 + i]!) * invWin;
      const variance = b - a * a;
      const std = f32(Math.sqrt(variance > 0 ? variance : 0));
      out[i * cols + c] = buf[i]! / f32(std + 1e-10);
    }
  }
}

let reflection = { rows: -1, pad: -1, src: new Int32Array(0) };

/** Row index behind each position of the 'symmetric'-padded sequence (cached: one shape per dataset). */
function reflectionIndex(rows: number, pad: number): Int32Array {
  if (reflection.rows === rows && reflection.pad === pad) return reflection.src;
  const padded = rows + 2 * pad;
  const period = 2 * rows;
  const src = new Int32Array(padded);
  for (let p = 0; p < padded; p++) {
    let m = (p - pad) % period;
    if (m < 0) m += period;
    src[p] = m < rows ? m : period - 1 - m;
  }
  reflection = { rows, pad, src };
  return src;
}
