/**
 * Haar wavelet denoising of one signal: decompose `levels` times, shrink the detail
 * coefficients towards zero, reconstruct. Pure: typed arrays in, typed arrays out.
 */

export interface DenoiseOptions {
  levels: number;
  /** `universal` (Donoho–Johnstone: σ·√(2 ln n), σ from the finest details) or a fixed value. */
  threshold: 'universal' | number;
  mode: 'soft' | 'hard';
}

const SQRT1_2 = Math.SQRT1_2;

/** Denoises `signal`; lengths that are not a multiple of 2^levels are padded by reflection, then cropped. */
export function haarDenoise(signal: Float32Array | Float64Array, options: DenoiseOptions): Float64Array {
  const n = signal.length;
  if (n === 0) return new Float64Array(0);
  const levels = Math.min(options.levels, Math.floor(Math.log2(n)));
  if (levels < 1) return Float64Array.from(signal);
  const block = 2 ** levels;
  const padded = new Float64Array(Math.ceil(n / block) * block);
  for (let i = 0; i < padded.length; i++) padded[i] = signal[reflect(i, n)]!;

  // In place: after level k, [0, len/2^k) holds approximations, the rest details per level.
  const work = padded;
  const tmp = new Float64Array(work.length);
  let len = work.length;
  for (let level = 0; level < levels; level++) {
    const half = len / 2;
    for (let i = 0; i < half; i++) {
      const a = work[2 * i]!;
      const b = work[2 * i + 1]!;
      tmp[i] = (a + b) * SQRT1_2;
      tmp[half + i] = (a - b) * SQRT1_2;
    }
    work.set(tmp.subarray(0, len));
    len = half;
  }

  const finest = work.subarray(work.length / 2);
  const lambda = options.threshold === 'universal' ? universalThreshold(finest, padded.length) : options.threshold;
  for (let i = len; i < work.length; i++) work[i] = shrink(work[i]!, lambda, options.mode);

  for (let level = 0; level < levels; level++) {
    const half = len;
    for (let i = 0; i < half; i++) {
      const s = work[i]!;
      const d = work[half + i]!;
      tmp[2 * i] = (s + d) * SQRT1_2;
      tmp[2 * i + 1] = (s - d) * SQRT1_2;
    }
    work.set(tmp.subarray(0, 2 * half));
    len = 2 * half;
  }
  return work.slice(0, n);
}

/** σ̂ = median(|d|) / 0.6745 over the finest details; λ = σ̂·√(2 ln n). */
export function universalThreshold(finestDetails: ArrayLike<number>, n: number): number {
  const abs = Array.from(finestDetails, Math.abs).sort((a, b) => a - b);
  if (abs.length === 0) return 0;
  const mid = abs.length >> 1;
  const median = abs.length % 2 === 1 ? abs[mid]! : (abs[mid - 1]! + abs[mid]!) / 2;
  return (median / 0.6745) * Math.sqrt(2 * Math.log(n));
}

function shrink(x: number, lambda: number, mode: 'soft' | 'hard'): number {
  if (Math.abs(x) <= lambda) return 0;
  return mode === 'hard' ? x : Math.sign(x) * (Math.abs(x) - lambda);
}

/** Index into [0, n) by mirror reflection (…2 1 0 1 2…), for padding past either end. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = i % period;
  return m < n ? m : period - m;
}
