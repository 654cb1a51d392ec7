/**
 * Real FFT with a precomputed plan: an n/2-point complex radix-2 FFT plus the usual
 * split step. Everything is allocated once in the plan; `powerSpectrum` allocates nothing.
 */
export interface RealFftPlan {
  /** FFT length n (a power of two, ≥ 2). */
  readonly n: number;
  /** Number of output bins, n/2 + 1. */
  readonly bins: number;
  readonly bitReverse: Uint32Array;
  /** cos/sin of 2πk/(n/2) for k < n/4: twiddles of the complex FFT. */
  readonly cosHalf: Float64Array;
  readonly sinHalf: Float64Array;
  /** cos/sin of 2πk/n for k ≤ n/2: twiddles of the split step. */
  readonly cosFull: Float64Array;
  readonly sinFull: Float64Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

export function createRealFftPlan(n: number): RealFftPlan {
  if (!isPowerOfTwo(n) || n < 2) throw new RangeError(`FFT length must be a power of two ≥ 2, got ${n}`);
  const m = n / 2;
  const bitReverse = new Uint32Array(m);
  const bits = Math.round(Math.log2(m));
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  const quarter = Math.max(1, m / 2);
  const cosHalf = new Float64Array(quarter);
  const sinHalf = new Float64Array(quarter);
  for (let k = 0; k < quarter; k++) {
    cosHalf[k] = Math.cos((2 * Math.PI * k) / m);
    sinHalf[k] = Math.sin((2 * Math.PI * k) / m);
  }
  const cosFull = new Float64Array(m + 1);
  const sinFull = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    cosFull[k] = Math.cos((2 * Math.PI * k) / n);
    sinFull[k] = Math.sin((2 * Math.PI * k) / n);
  }
  return { n, bins: m + 1, bitReverse, cosHalf, sinHalf, cosFull, sinFull, re: new Float64Array(m), im: new Float64Array(m) };
}

/**
 * Power spectrum |X[k]|² / n of `count` samples of `input` starting at `offset`, read with
 * `stride` (for interleaved axes). Like numpy's `rfft(frame, n)`: a longer frame is cropped to
 * its first n samples, a shorter one zero-padded. Writes `plan.bins` values to `out` at `outOffset`.
 */
export function powerSpectrum(
  plan: RealFftPlan,
  input: ArrayLike<number>,
  offset: number,
  count: number,
  stride: number,
  out: Float64Array,
  outOffset = 0,
): void {
  const { n, re, im, bitReverse } = plan;
  const m = n / 2;
  const used = Math.min(count, n);
  // Pack even samples into re, odd into im, in bit-reversed order.
  for (let k = 0; k < m; k++) {
    const i0 = 2 * k;
    const i1 = i0 + 1;
    const dst = bitReverse[k]!;
    re[dst] = i0 < used ? input[offset + i0 * stride]! : 0;
    im[dst] = i1 < used ? input[offset + i1 * stride]! : 0;
  }
  complexFftInPlace(plan);
  splitToPower(plan, out, outOffset);
}

/**
 * Iterative radix-2 decimation-in-time FFT on bit-reversed data (forward, e^{-i}). The first two
 * stages have trivial twiddles (1, −i) and are done apart; later stages loop twiddle-outer so each
 * twiddle is loaded once per stage.
 */
function complexFftInPlace(plan: RealFftPlan): void {
  const { re, im, cosHalf, sinHalf } = plan;
  const m = re.length;
  if (m < 2) return;
  for (let a = 0; a < m; a += 2) {
    const b = a + 1;
    const ar = re[a]!, ai = im[a]!, br = re[b]!, bi = im[b]!;
    re[a] = ar + br;
    im[a] = ai + bi;
    re[b] = ar - br;
    im[b] = ai - bi;
  }
  if (m < 4) return;
  for (let a = 0; a < m; a += 4) {
    const a1 = a + 1, b0 = a + 2, b1 = a + 3;
    const r0 = re[a]!, i0 = im[a]!, r2 = re[b0]!, i2 = im[b0]!;
    re[a] = r0 + r2;
    im[a] = i0 + i2;
    re[b0] = r0 - r2;
    im[b0] = i0 - i2;
    // twiddle −i: (r + i·q)(−i) = q − i·r
    const r1 = re[a1]!, i1 = im[a1]!, r3 = re[b1]!, i3 = im[b1]!;
    re[a1] = r1 + i3;
    im[a1] = i1 - r3;
    re[b1] = r1 - i3;
    im[b1] = i1 + r3;
  }
  for (let size = 8; size <= m; size <<= 1) {
    const half = size >> 1;
    const step = m / size;
    for (let j = 0; j < half; j++) {
      const c = cosHalf[j * step]!;
      const s = sinHalf[j * step]!;
      for (let a = j; a < m; a += size) {
        const b = a + half;
        const br = re[b]!;
        const bi = im[b]!;
        const tr = br * c + bi * s;
        const ti = bi * c - br * s;
        const ar = re[a]!;
        const ai = im[a]!;
        re[a] = ar + tr;
        im[a] = ai + ti;
        re[b] = ar - tr;
        im[b] = ai - ti;
      }
    }
  }
}

/** Turns the n/2-point complex FFT of the packed signal into the n-point real spectrum's power. */
function splitToPower(plan: RealFftPlan, out: Float64Array, outOffset: number): void {
  const { n, re, im, cosFull, sinFull } = plan;
  const m = n / 2;
  const scale = 1 / n;
  const r0 = re[0]!;
  const i0 = im[0]!;
  out[outOffset] = (r0 + i0) * (r0 + i0) * scale;
  out[outOffset + m] = (r0 - i0) * (r0 - i0) * scale;
  for (let k = 1; k < m; k++) {
    const a = re[k]!;
    const b = im[k]!;
    const c = re[m - k]!;
    const d = im[m - k]!;
    const er = 0.5 * (a + c);
    const ei = 0.5 * (b - d);
    const or = 0.5 * (b + d);
    const oi = 0.5 * (c - a);
    const cs = cosFull[k]!;
    const sn = sinFull[k]!;
    const xr = er + cs * or + sn * oi;
    const xi = ei + cs * oi - sn * or;
    out[outOffset + k] = (xr * xr + xi * xi) * scale;
  }
}
