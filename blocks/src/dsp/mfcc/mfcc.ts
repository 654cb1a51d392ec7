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
  /** One pre-emphasised frame, zero-padded to the FFT length. */
  frame: Float64Array;
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
    frame: new Float64Array(config.fftLength),
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
 * false when the signal holds a NaN or ±Infinity (found on the way, so the caller can skip its
 * own scan and name the value only then); `out` is meaningless in that case.
 */
export function mfcc(plan: MfccPlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): boolean {
  const { config, fft, dct, frame } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const nc = config.numCepstral;
  const nf = config.numFilters;
  const frames = layout.count;
  const used = Math.min(layout.length, fft.n);
  const shift = ((config.preShift % length) + length) % length;
  const cof = config.preCof;
  const { power, mel } = plan;
  // Cepstra are kept coefficient-major (cep[k·frames + f]): cmvnw then reads contiguous columns.
  const cep = plan.cepstra.get(nc * frames);
  // A NaN or ±Infinity inside a frame makes its energy non-finite; samples outside every
  // frame are scanned apart. (A finite overflow lands here too; the caller's scan clears it.)
  let finite = true;
  frame.fill(0, used);
  for (let f = 0; f < frames; f++) {
    // Circular pre-emphasis of just this frame: y[p] = x[p] − cof·x[(p − shift) mod N].
    const p0 = f * layout.stride;
    let i = 0;
    for (; i < used && p0 + i < shift; i++) frame[i] = signal[p0 + i]! - cof * signal[p0 + i - shift + length]!;
    for (; i < used; i++) frame[i] = signal[p0 + i]! - cof * signal[p0 + i - shift]!;
    const energy = powerSpectrum(fft, frame, 0, fft.n, 1, power, 0);
    if (!Number.isFinite(energy)) finite = false;
    applyFilterbank(bank, power, 0, mel, 0);
    for (let k = 0; k < nf; k++) mel[k] = Math.log(mel[k]!);
    cep[f] = Math.log(energy === 0 ? 1e-10 : energy); // c0 is ln(frame energy)
    // DCT-II rows 1…nc−1 (orthonormal); four partial sums so the adds overlap.
    const n4 = nf & ~3;
    for (let k = 1, d = nf; k < nc; k++, d += nf) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let j = 0;
      for (; j < n4; j += 4) {
        s0 += dct[d + j]! * mel[j]!;
        s1 += dct[d + j + 1]! * mel[j + 1]!;
        s2 += dct[d + j + 2]! * mel[j + 2]!;
        s3 += dct[d + j + 3]! * mel[j + 3]!;
      }
      for (; j < nf; j++) s0 += dct[d + j]! * mel[j]!;
      cep[k * frames + f] = s0 + s1 + (s2 + s3);
    }
  }
  if (layout.stride > used) finite = gapsFinite(signal, frames, layout.stride, used) && finite;
  const end = (frames - 1) * layout.stride + used;
  if (finite && end < length) finite = rangeFinite(signal, end, length);
  if (config.winSize > 0) cmvnw(cep, frames, nc, config.winSize, plan.cmvn, out, true);
  else for (let f = 0; f < frames; f++) for (let k = 0; k < nc; k++) out[f * nc + k] = cep[k * frames + f]!;
  return finite;
}

/** Whether the samples between frames (each frame reads `used` samples every `stride`) are finite. */
function gapsFinite(x: ArrayLike<number>, count: number, stride: number, used: number): boolean {
  for (let f = 0; f < count; f++) if (!rangeFinite(x, f * stride + used, Math.min((f + 1) * stride, x.length))) return false;
  return true;
}

function rangeFinite(x: ArrayLike<number>, from: number, to: number): boolean {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * 0; // NaN for NaN and ±Infinity, else 0
  return sum === 0;
}

/**
 * speechpy's cmvnw with variance normalisation: subtract the mean of a `win`-frame window, then
 * divide by (population std of the mean-subtracted values in the window + 1e-10). Windows are
 * padded with numpy's 'symmetric' mode, which keeps reflecting when the pad exceeds the sequence.
 * Prefix sums over the padded column make it O(rows) instead of O(rows·win); the intermediate
 * is rounded to float32 like the reference's buffers. Works one column at a time so every
 * array it touches is small.
 */
export function cmvnw(vec: Float64Array, rows: number, cols: number, win: number, scratch: Scratch, out: Float32Array, columnMajor = false): void {
  // vec[r·rowStep + c·colStep]; `out` is always row-major (frames × coefficients).
  const rowStep = columnMajor ? 1 : cols;
  const colStep = columnMajor ? rows : 1;
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
      sum += vec[src[p]! * rowStep + c * colStep]!;
      buf[s1 + p + 1] = sum;
    }
    for (let i = 0; i < rows; i++) {
      const mean = (buf[s1 + i + win]! - buf[s1 + i]!) * invWin;
      buf[i] = f32(vec[i * rowStep + c * colStep]! - mean);
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
