/**
 * Real FFT with a precomputed plan: the n real samples are packed as n/2 complex values, run
 * through a radix-4 (plus one radix-2 stage when log2(n/2) is odd) decimation-in-time FFT, then
 * the usual split step gives the n-point spectrum. Everything is allocated once in the plan;
 * `powerSpectrum` allocates nothing.
 */
export interface RealFftPlan {
  /** FFT length n (a power of two, ≥ 2). */
  readonly n: number;
  /** Number of output bins, n/2 + 1. */
  readonly bins: number;
  readonly bitReverse: Uint32Array;
  /** Span of each radix-4 stage (4q), smallest first. */
  readonly stages: Int32Array;
  /** Whether the first stage is radix-2 (log2(n/2) odd). */
  readonly radix2First: boolean;
  /** Per radix-4 stage, per j < q: cos/sin of w^j, w^2j, w^3j (w = e^{-2πi/4q}), 6 values each. */
  readonly twiddles: Float64Array;
  readonly twiddleOffset: Int32Array;
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
  const bits = Math.round(Math.log2(m));
  const bitReverse = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  const radix2First = bits % 2 === 1;
  const spans: number[] = [];
  for (let span = radix2First ? 8 : 4; span <= m; span *= 4) spans.push(span);
  const twiddleOffset = new Int32Array(spans.length);
  const tw: number[] = [];
  spans.forEach((span, s) => {
    twiddleOffset[s] = tw.length;
    for (let j = 0; j < span / 4; j++) {
      for (let k = 1; k <= 3; k++) {
        const angle = (-2 * Math.PI * j * k) / span;
        tw.push(Math.cos(angle), Math.sin(angle));
      }
    }
  });
  const cosFull = new Float64Array(m + 1);
  const sinFull = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    cosFull[k] = Math.cos((2 * Math.PI * k) / n);
    sinFull[k] = Math.sin((2 * Math.PI * k) / n);
  }
  return {
    n, bins: m + 1, bitReverse, stages: Int32Array.from(spans), radix2First,
    twiddles: Float64Array.from(tw), twiddleOffset, cosFull, sinFull,
    re: new Float64Array(m), im: new Float64Array(m),
  };
}

/**
 * Power spectrum |X[k]|² / n of `count` samples of `input` starting at `offset`, read with
 * `stride` (for interleaved axes). Like numpy's `rfft(frame, n)`: a longer frame is cropped to
 * its first n samples, a shorter one zero-padded. Writes `plan.bins` values to `out` at
 * `outOffset` and returns their sum (the frame energy MFCC needs).
 */
export function powerSpectrum(
  plan: RealFftPlan,
  input: ArrayLike<number>,
  offset: number,
  count: number,
  stride: number,
  out: Float64Array,
  outOffset = 0,
): number {
  const { n, re, im, bitReverse } = plan;
  const m = n / 2;
  if (count >= n && stride === 1) {
    // Common case (whole frame, contiguous): no bounds tests.
    for (let k = 0; k < m; k++) {
      const dst = bitReverse[k]!;
      re[dst] = input[offset + 2 * k]!;
      im[dst] = input[offset + 2 * k + 1]!;
    }
  } else {
    const used = count < n ? count : n;
    for (let k = 0; k < m; k++) {
      const i0 = 2 * k;
      const i1 = i0 + 1;
      const dst = bitReverse[k]!;
      re[dst] = i0 < used ? input[offset + i0 * stride]! : 0;
      im[dst] = i1 < used ? input[offset + i1 * stride]! : 0;
    }
  }
  complexFftInPlace(plan);
  return splitToPower(plan, out, outOffset);
}

/** Radix-4 DIT FFT (forward, e^{-i}) on bit-reversed data, after an optional radix-2 stage. */
function complexFftInPlace(plan: RealFftPlan): void {
  const { re, im, stages, twiddles, twiddleOffset } = plan;
  const m = re.length;
  if (plan.radix2First) {
    for (let a = 0; a < m; a += 2) {
      const b = a + 1;
      const ar = re[a]!, ai = im[a]!, br = re[b]!, bi = im[b]!;
      re[a] = ar + br;
      im[a] = ai + bi;
      re[b] = ar - br;
      im[b] = ai - bi;
    }
  }
  for (let s = 0; s < stages.length; s++) {
    const span = stages[s]!;
    const q = span >> 2;
    const t0 = twiddleOffset[s]!;
    for (let j = 0; j < q; j++) {
      const t = t0 + j * 6;
      const c1 = twiddles[t]!, s1 = twiddles[t + 1]!;
      const c2 = twiddles[t + 2]!, s2 = twiddles[t + 3]!;
      const c3 = twiddles[t + 4]!, s3 = twiddles[t + 5]!;
      for (let a = j; a < m; a += span) {
        // In bit-reversed order the four sub-transforms at a, a+q, a+2q, a+3q are those of
        // x[4i], x[4i+2], x[4i+1], x[4i+3]: they take w^0, w^2j, w^j, w^3j.
        const i1 = a + q, i2 = i1 + q, i3 = i2 + q;
        let xr = re[i1]!, xi = im[i1]!;
        const br = xr * c2 - xi * s2, bi = xr * s2 + xi * c2;
        xr = re[i2]!;
        xi = im[i2]!;
        const cr = xr * c1 - xi * s1, ci = xr * s1 + xi * c1;
        xr = re[i3]!;
        xi = im[i3]!;
        const dr = xr * c3 - xi * s3, di = xr * s3 + xi * c3;
        const ar = re[a]!, ai = im[a]!;
        const e0r = ar + br, e0i = ai + bi, e1r = ar - br, e1i = ai - bi;
        const o0r = cr + dr, o0i = ci + di, o1r = cr - dr, o1i = ci - di;
        re[a] = e0r + o0r;
        im[a] = e0i + o0i;
        re[i2] = e0r - o0r;
        im[i2] = e0i - o0i;
        re[i1] = e1r + o1i; // e1 − i·o1
        im[i1] = e1i - o1r;
        re[i3] = e1r - o1i; // e1 + i·o1
        im[i3] = e1i + o1r;
      }
    }
  }
}

/** Turns the n/2-point complex FFT of the packed signal into the n-point real spectrum's power; returns the sum. */
function splitToPower(plan: RealFftPlan, out: Float64Array, outOffset: number): number {
  const { n, re, im, cosFull, sinFull } = plan;
  const m = n / 2;
  const scale = 1 / n;
  const quarterScale = 0.25 * scale; // the split's two halves carry a factor ½ each
  const r0 = re[0]!;
  const i0 = im[0]!;
  const p0 = (r0 + i0) * (r0 + i0) * scale;
  const pm = (r0 - i0) * (r0 - i0) * scale;
  out[outOffset] = p0;
  out[outOffset + m] = pm;
  let sum = p0 + pm;
  for (let k = 1; k < m; k++) {
    const a = re[k]!;
    const b = im[k]!;
    const c = re[m - k]!;
    const d = im[m - k]!;
    const er = a + c;
    const ei = b - d;
    const or = b + d;
    const oi = c - a;
    const cs = cosFull[k]!;
    const sn = sinFull[k]!;
    const xr = er + cs * or + sn * oi;
    const xi = ei + cs * oi - sn * or;
    const p = (xr * xr + xi * xi) * quarterScale;
    out[outOffset + k] = p;
    sum += p;
  }
  return sum;
}
