import { WAVELET_FILTERS, type WaveletName } from './wavelet-filters.js';
import { kurtosisFromMoments, moments, skewFromMoments } from '../common/stats.js';

/** Number of statistics per coefficient array. */
export const WAVELET_STATS = 14;
export const WAVELET_STAT_NAMES = [
  'entropy', 'zcross', 'mcross', 'n5', 'n25', 'n75', 'n95', 'median', 'mean', 'std', 'var', 'rms', 'skew', 'kurtosis',
] as const;

/** Level L needs at least 32·2^L samples (Edge Impulse's rule). */
export function waveletMinLength(level: number): number {
  return 32 * 2 ** level;
}

/** Decomposition filters rounded to float32, as PyWavelets uses them on float32 data. */
export interface WaveletPlan {
  decLo: Float64Array;
  decHi: Float64Array;
  level: number;
}

export function createWaveletPlan(name: WaveletName, level: number): WaveletPlan {
  const w = WAVELET_FILTERS[name];
  return { decLo: Float64Array.from(w.decLo, Math.fround), decHi: Float64Array.from(w.decHi, Math.fround), level };
}

/** Output length of one pywt.dwt step in 'symmetric' mode. */
export function dwtLength(n: number, filterLength: number): number {
  return Math.floor((n + filterLength - 1) / 2);
}

/** Lengths of wavedec's arrays [cA_L, cD_L, …, cD_1] for a signal of n samples. */
export function wavedecLengths(n: number, filterLength: number, level: number): number[] {
  const lengths: number[] = [];
  let len = n;
  for (let l = 0; l < level; l++) {
    len = dwtLength(len, filterLength);
    lengths.unshift(len);
  }
  lengths.unshift(len);
  return lengths;
}

/**
 * One analysis step of pywt.dwt in 'symmetric' (half-sample) extension mode:
 * out[o] = Σ_j filter[j] · ext[2o + 1 − j]. Results are rounded to float32 like pywt on float32 data.
 */
function dwtStep(x: Float64Array, n: number, filter: Float64Array, out: Float64Array): number {
  const f = filter.length;
  const outLen = dwtLength(n, f);
  for (let o = 0; o < outLen; o++) {
    const i = 2 * o + 1;
    let sum = 0;
    for (let j = 0; j < f; j++) sum += filter[j]! * x[symmetricIndex(i - j, n)]!;
    out[o] = Math.fround(sum);
  }
  return outLen;
}

/** Index into x for position k of its half-sample symmetric extension (periodic beyond one reflection). */
function symmetricIndex(k: number, n: number): number {
  const period = 2 * n;
  let m = k % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/** pywt.wavedec(x, wavelet, mode='symmetric', level): arrays in the order [cA_L, cD_L, …, cD_1]. */
export function wavedec(plan: WaveletPlan, signal: Float64Array): Float64Array[] {
  const details: Float64Array[] = [];
  let approx = signal;
  for (let l = 0; l < plan.level; l++) {
    const len = dwtLength(approx.length, plan.decLo.length);
    const a = new Float64Array(len);
    const d = new Float64Array(len);
    dwtStep(approx, approx.length, plan.decLo, a);
    dwtStep(approx, approx.length, plan.decHi, d);
    details.unshift(d);
    approx = a;
  }
  return [approx, ...details];
}

/**
 * The 14 statistics Edge Impulse computes per coefficient array, written to out[at…at+13].
 * `scratch` must hold c.length values (it is sorted for the percentiles).
 */
export function waveletStats(c: Float64Array, scratch: Float64Array, out: Float32Array, at: number): void {
  const n = c.length;
  out[at] = histogramEntropy(c);
  let zc = 0;
  let mc = 0;
  const m = moments(c);
  for (let i = 1; i < n; i++) {
    if (c[i]! > 0 !== c[i - 1]! > 0) zc++;
    if (c[i]! > m.mean !== c[i - 1]! > m.mean) mc++;
  }
  out[at + 1] = zc / n;
  out[at + 2] = mc / n;
  const sorted = scratch.subarray(0, n);
  sorted.set(c);
  sorted.sort();
  const pick = (p: number): number => sorted[Math.floor(((n - 1) * p) / 100 + 0.5)]!;
  out[at + 3] = pick(5);
  out[at + 4] = pick(25);
  out[at + 5] = pick(75);
  out[at + 6] = pick(95);
  out[at + 7] = pick(50);
  out[at + 8] = m.mean;
  out[at + 9] = Math.sqrt(m.m2);
  out[at + 10] = n > 1 ? (m.m2 * n) / (n - 1) : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += c[i]! * c[i]!;
  const rms = Math.sqrt(sq / n);
  out[at + 11] = rms;
  out[at + 12] = rms === 0 ? 0 : skewFromMoments(m);
  out[at + 13] = rms === 0 ? 0 : kurtosisFromMoments(m);
}

/**
 * scipy.stats.entropy (natural log) of np.histogram(c, bins=100, density=True)[0]. The density
 * normalisation cancels in the entropy, so plain counts give the same value. The bin of each value
 * follows numpy's float32 arithmetic on float32 data (edges from a float32 linspace, then the
 * ±1 correction against the edges), since values sitting on an edge are common in sensor data.
 */
function histogramEntropy(c: Float64Array): number {
  const bins = 100;
  const f = Math.fround;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < c.length; i++) {
    if (c[i]! < lo) lo = c[i]!;
    if (c[i]! > hi) hi = c[i]!;
  }
  // All values equal: numpy widens the range and they all land in one bin.
  if (lo === hi) return 0;
  const span = f(hi - lo);
  const step = f(span / bins);
  const edge = (i: number): number => (i === bins ? hi : f(f(i * step) + lo));
  const counts = new Float64Array(bins);
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    let b = Math.trunc(f(f(f(v - lo) / span) * bins));
    if (b === bins) b--;
    if (v < edge(b)) b--;
    else if (b !== bins - 1 && v >= edge(b + 1)) b++;
    counts[b]!++;
  }
  let h = 0;
  for (let b = 0; b < bins; b++) {
    const p = counts[b]! / c.length;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
