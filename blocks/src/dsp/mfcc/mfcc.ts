/**
 * MFCC kernel (Edge Impulse `mfcc`, implementation version 4): circular pre-emphasis on the
 * unscaled signal, rectangular frames cropped/zero-padded to the FFT length, mel energies, ln,
 * orthonormal DCT-II, c0 replaced by ln(frame energy), then sliding-window CMVN (cmvnw).
 */
import { audioFrames, FilterbankCache, Scratch, type MelFrameConfig } from '../common/audio.js';
import { createRealFftPlan, powerSpectrum, type RealFftPlan } from '../common/fft.js';
import { melEnergies } from '../common/mel.js';

export interface MfccConfig extends MelFrameConfig {
  numCepstral: number;
  /** Frames in the cmvnw window (odd); 0 turns normalisation off. */
  winSize: number;
  preCof: number;
  preShift: number;
}

export interface MfccPlan {
  config: MfccConfig;
  fft: RealFftPlan;
  banks: FilterbankCache;
  /**
   * DCT-II rows 1…numCepstral−1 (orthonormal scale folded in), each folded in half: row k is
   * (−1)^k-symmetric, so it takes half = ⌈nf/2⌉ terms of u = mel[i] + mel[nf−1−i] (k even) or
   * v = mel[i] − mel[nf−1−i] (k odd). Half the multiply-adds of the plain matrix.
   */
  dct: Float64Array;
  half: number;
  /** u, then v: the folded log-mel vector of one frame (2·half values). */
  folded: Float64Array;
  /** Power spectra of all frames, frame-major. */
  power: Scratch;
  /** Frame energies (sums of their power bins). */
  energy: Scratch;
  /** ln mel energies of all frames, frame-major. */
  mel: Scratch;
  /** One pre-emphasised frame, zero-padded to the FFT length. */
  frame: Float64Array;
  cepstra: Scratch;
  cmvn: Scratch;
}

export function createMfccPlan(config: MfccConfig): MfccPlan {
  const fft = createRealFftPlan(config.fftLength);
  const n = config.numFilters;
  const half = Math.ceil(n / 2);
  const dct = new Float64Array(config.numCepstral * half);
  const scale = Math.sqrt(2 / n);
  for (let k = 1; k < config.numCepstral; k++) {
    for (let i = 0; i < half; i++) dct[k * half + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  return {
    config,
    fft,
    banks: new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency),
    dct,
    half,
    folded: new Float64Array(2 * half),
    power: new Scratch(),
    energy: new Scratch(),
    mel: new Scratch(),
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
  const { config, fft } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const nc = config.numCepstral;
  const nf = config.numFilters;
  const frames = layout.count;
  // Stage by stage over all frames (spectra, mel, ln, DCT, cmvnw): small, hot loop nests and no
  // per-frame allocation.
  const power = plan.power.get(frames * fft.bins);
  const energy = plan.energy.get(frames);
  const used = Math.min(layout.length, fft.n);
  let finite = emphasisedSpectra(plan, signal, layout.stride, used, frames, power, energy);
  // Samples no frame reads (a NaN or ±Infinity inside a frame made its energy non-finite).
  if (finite && layout.stride > used) finite = gapsFinite(signal, frames, layout.stride, used);
  const end = (frames - 1) * layout.stride + used;
  if (finite && end < length) finite = rangeFinite(signal, end, length);
  const mel = plan.mel.get(frames * nf);
  melEnergies(bank, power, frames, mel);
  for (let i = 0; i < frames * nf; i++) mel[i] = Math.log(mel[i]!);
  // Cepstra are kept coefficient-major (cep[k·frames + f]): cmvnw then reads contiguous columns.
  const cep = plan.cepstra.get(nc * frames);
  for (let f = 0; f < frames; f++) cep[f] = Math.log(energy[f] === 0 ? 1e-10 : energy[f]!); // c0 is ln(frame energy)
  dctRows(plan, mel, frames, cep);
  if (config.winSize > 0) cmvnw(cep, frames, nc, config.winSize, plan.cmvn, out, true);
  else for (let f = 0; f < frames; f++) for (let k = 0; k < nc; k++) out[f * nc + k] = cep[k * frames + f]!;
  return finite;
}

/** DCT-II rows 1…nc−1 of each frame's ln mel energies into cep[k·frames + f], by the folded table. */
function dctRows(plan: MfccPlan, mel: Float64Array, frames: number, cep: Float64Array): void {
  const { dct, half, folded } = plan;
  const nf = plan.config.numFilters;
  const nc = plan.config.numCepstral;
  const pairs = nf >> 1;
  const h4 = half & ~3;
  for (let f = 0, m = 0; f < frames; f++, m += nf) {
    for (let i = 0; i < pairs; i++) {
      const a = mel[m + i]!;
      const b = mel[m + nf - 1 - i]!;
      folded[i] = a + b;
      folded[half + i] = a - b;
    }
    if (nf & 1) {
      folded[pairs] = mel[m + pairs]!;
      folded[half + pairs] = 0;
    }
    for (let k = 1, d = half; k < nc; k++, d += half) {
      const w = k & 1 ? half : 0;
      // Four partial sums so the adds overlap.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let j = 0;
      for (; j < h4; j += 4) {
        s0 += dct[d + j]! * folded[w + j]!;
        s1 += dct[d + j + 1]! * folded[w + j + 1]!;
        s2 += dct[d + j + 2]! * folded[w + j + 2]!;
        s3 += dct[d + j + 3]! * folded[w + j + 3]!;
      }
      for (; j < half; j++) s0 += dct[d + j]! * folded[w + j]!;
      cep[k * frames + f] = s0 + s1 + (s2 + s3);
    }
  }
}

/**
 * Power spectra of all frames (frame-major) and their energies, each frame circularly
 * pre-emphasised into the plan's small frame buffer first: y[i] = x[p0+i] − cof·x[(p0+i−shift) mod N].
 * Returns false when a frame energy is not finite (a NaN or ±Infinity in that frame).
 */
function emphasisedSpectra(
  plan: MfccPlan,
  signal: ArrayLike<number>,
  stride: number,
  used: number,
  frames: number,
  power: Float64Array,
  energy: Float64Array,
): boolean {
  const { fft, frame } = plan;
  const length = signal.length;
  const cof = plan.config.preCof;
  const shift = ((plan.config.preShift % length) + length) % length;
  frame.fill(0, used);
  let sum = 0;
  for (let f = 0, p0 = 0; f < frames; f++, p0 += stride) {
    // One loop for the wrapped and the plain part (a loop V8 had not reached when it compiled
    // this on a first long call would deoptimise on every call).
    for (let i = 0; i < used; i++) {
      const j = p0 + i - shift;
      frame[i] = signal[p0 + i]! - cof * signal[j < 0 ? j + length : j]!;
    }
    const e = powerSpectrum(fft, frame, 0, fft.n, 1, power, f * fft.bins);
    energy[f] = e;
    sum += e;
  }
  return Number.isFinite(sum);
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
