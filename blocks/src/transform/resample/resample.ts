/**
 * Band-limited rational resampling (polyphase FIR), the same filter and alignment as SciPy's
 * `resample_poly` defaults: Kaiser-windowed sinc (β = 5), cutoff at the lower Nyquist,
 * 10 zero crossings per side of the longer rate, zero-phase (no delay). Linear interpolation
 * would alias and dull the top octave; this does neither.
 */
export interface Resampler {
  up: number;
  down: number;
  /** Taps each side of the centre; the filter has 2·halfLen + 1 taps, pre-scaled by `up`. */
  halfLen: number;
  taps: Float64Array;
}

export interface ResamplerOptions {
  /** Zero crossings of the sinc per side, in units of the longer rate (SciPy: 10). */
  zeroCrossings?: number;
  /** Kaiser β (SciPy: 5.0); higher = deeper stopband, wider transition. */
  kaiserBeta?: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The reduced ratio up/down between two rates, to 1 mHz precision. */
export function rationalRatio(fromHz: number, toHz: number): { up: number; down: number } {
  const from = Math.round(fromHz * 1000);
  const to = Math.round(toHz * 1000);
  if (!(from > 0 && to > 0)) throw new RangeError(`sample rates must be positive (from ${fromHz} Hz to ${toHz} Hz)`);
  const g = gcd(from, to);
  return { up: to / g, down: from / g };
}

/** Modified Bessel function of the first kind, order 0 (series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Windowed-sinc low-pass, `numTaps` odd, cutoff as a fraction of Nyquist, DC gain 1 (SciPy firwin). */
export function kaiserLowpass(numTaps: number, cutoff: number, beta: number): Float64Array {
  const h = new Float64Array(numTaps);
  const mid = (numTaps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < numTaps; n++) {
    const m = n - mid;
    const x = Math.PI * cutoff * m;
    const sinc = m === 0 ? 1 : Math.sin(x) / x;
    const r = m / mid;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = cutoff * sinc * w;
    sum += h[n]!;
  }
  for (let n = 0; n < numTaps; n++) h[n] = h[n]! / sum;
  return h;
}

export function designResampler(fromHz: number, toHz: number, opts: ResamplerOptions = {}): Resampler {
  const { up, down } = rationalRatio(fromHz, toHz);
  const maxRate = Math.max(up, down);
  const halfLen = (opts.zeroCrossings ?? 10) * maxRate;
  const taps = kaiserLowpass(2 * halfLen + 1, 1 / maxRate, opts.kaiserBeta ?? 5);
  for (let i = 0; i < taps.length; i++) taps[i] = taps[i]! * up;
  return { up, down, halfLen, taps };
}

/** Number of output frames for `frames` input frames: ceil(frames · up / down). */
export function resampledLength(frames: number, r: Pick<Resampler, 'up' | 'down'>): number {
  return Math.ceil((frames * r.up) / r.down);
}

/**
 * Resamples interleaved `values` (`axes` channels): y[n] = Σ_j x[j]·h[n·down + halfLen − j·up].
 * Only the taps that meet a non-zero input are visited (the polyphase trick), so the cost is
 * about (2·halfLen + 1)/up multiply-adds per output value.
 */
export function resample(values: Float32Array, axes: number, r: Resampler): Float32Array {
  const frames = Math.floor(values.length / axes);
  const outFrames = resampledLength(frames, r);
  const out = new Float32Array(outFrames * axes);
  const { up, down, halfLen, taps } = r;
  const span = 2 * halfLen;
  for (let n = 0; n < outFrames; n++) {
    const t = n * down + halfLen;
    const jLo = Math.max(0, Math.ceil((t - span) / up));
    const jHi = Math.min(frames - 1, Math.floor(t / up));
    for (let a = 0; a < axes; a++) {
      let acc = 0;
      for (let j = jLo, k = t - jLo * up; j <= jHi; j++, k -= up) acc += values[j * axes + a]! * taps[k]!;
      out[n * axes + a] = acc;
    }
  }
  return out;
}
