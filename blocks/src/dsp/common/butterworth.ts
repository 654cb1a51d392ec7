/**
 * Butterworth low/high-pass as second-order sections, designed the way
 * `scipy.signal.butter(order, 2·cutoff/fs, btype, output='sos')` does it (analog prototype,
 * pre-warped bilinear transform, 'nearest' pole pairing with the poles closest to the unit circle
 * last, gain on the first section), then rounded to float32 as Edge Impulse's spectral block does.
 */
export type FilterType = 'low' | 'high';

interface Complex {
  re: number;
  im: number;
}

const cmul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
const csub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
function cdiv(a: Complex, b: Complex): Complex {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
}

/** Float64 SOS rows [b0, b1, b2, a0, a1, a2], as scipy returns them. */
export function butterworthSos(order: number, normalizedCutoff: number, type: FilterType): number[][] {
  if (!Number.isInteger(order) || order < 2 || order % 2 !== 0) throw new RangeError(`filter order must be even and ≥ 2, got ${order}`);
  if (!(normalizedCutoff > 0 && normalizedCutoff < 1)) throw new RangeError(`normalized cutoff must be in (0, 1), got ${normalizedCutoff}`);
  // Analog prototype poles: -exp(iπm/(2N)), m = -N+1, -N+3, …, N-1.
  let poles: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const theta = (Math.PI * m) / (2 * order);
    poles.push({ re: -Math.cos(theta), im: -Math.sin(theta) });
  }
  const fs = 2;
  const warped = 2 * fs * Math.tan((Math.PI * normalizedCutoff) / fs);
  let gain: number;
  let zeroAt: number;
  if (type === 'low') {
    poles = poles.map((p) => ({ re: warped * p.re, im: warped * p.im }));
    gain = Math.pow(warped, order);
    zeroAt = -1; // analog zeros at infinity map to z = -1
  } else {
    const w: Complex = { re: warped, im: 0 };
    let prodNeg: Complex = { re: 1, im: 0 };
    for (const p of poles) prodNeg = cmul(prodNeg, { re: -p.re, im: -p.im });
    gain = cdiv({ re: 1, im: 0 }, prodNeg).re;
    poles = poles.map((p) => cdiv(w, p));
    zeroAt = 1; // analog zeros at the origin map to z = +1
  }
  // Bilinear transform with fs2 = 2·fs.
  const fs2: Complex = { re: 2 * fs, im: 0 };
  let num: Complex = { re: 1, im: 0 };
  let den: Complex = { re: 1, im: 0 };
  if (type === 'high') for (let i = 0; i < order; i++) num = cmul(num, fs2); // prod(fs2 - 0)
  const digital = poles.map((p) => {
    den = cmul(den, csub(fs2, p));
    return cdiv(cadd(fs2, p), csub(fs2, p));
  });
  gain *= cdiv(num, den).re;
  // One pole of each conjugate pair (positive imaginary part), then pair "worst first, placed last".
  const upper = digital.filter((p) => p.im > 0);
  const sections = upper.length;
  const rows: number[][] = new Array<number[]>(sections);
  const remaining = upper.slice();
  for (let s = sections - 1; s >= 0; s--) {
    let worst = 0;
    for (let i = 1; i < remaining.length; i++) {
      if (distToCircle(remaining[i]!) < distToCircle(remaining[worst]!)) worst = i;
    }
    const p = remaining.splice(worst, 1)[0]!;
    const a1 = -(p.re + p.re);
    const a2 = p.re * p.re + p.im * p.im;
    rows[s] = [1, -2 * zeroAt, 1, 1, a1, a2];
  }
  const first = rows[0]!;
  first[0]! *= gain;
  first[1]! *= gain;
  first[2]! *= gain;
  return rows;
}

function distToCircle(p: Complex): number {
  return Math.abs(1 - Math.hypot(p.re, p.im));
}

/** Float32 SOS ready for `sosfiltFloat32`: rows of [b0, b1, b2, a1, a2] (a0 is 1). */
export function float32Sos(rows: number[][]): Float32Array {
  const out = new Float32Array(rows.length * 5);
  rows.forEach((r, s) => {
    out[s * 5] = r[0]!;
    out[s * 5 + 1] = r[1]!;
    out[s * 5 + 2] = r[2]!;
    out[s * 5 + 3] = r[4]!;
    out[s * 5 + 4] = r[5]!;
  });
  return out;
}

/**
 * A section is stable when both poles of 1 + a1·z⁻¹ + a2·z⁻² lie inside the unit circle
 * (|a2| < 1 and |a1| < 1 + a2). Checked on the float32 coefficients actually used.
 */
export function sosIsStable(sos: Float32Array): boolean {
  for (let s = 0; s < sos.length; s += 5) {
    const a1 = sos[s + 3]!;
    const a2 = sos[s + 4]!;
    if (!(Math.abs(a2) < 1 && Math.abs(a1) < 1 + a2)) return false;
  }
  return true;
}

const f = Math.fround;

/**
 * scipy's sosfilt in float32 (transposed direct form II, zero initial state), each operation
 * rounded to float32 like the compiled reference. Filters `count` values of `input` read with
 * `stride` from `offset`, writing them contiguously to `out`. `state` needs 2 floats per section.
 */
export function sosfiltFloat32(
  sos: Float32Array,
  input: ArrayLike<number>,
  offset: number,
  count: number,
  stride: number,
  out: Float32Array,
  state: Float32Array,
): void {
  const sections = sos.length / 5;
  state.fill(0, 0, sections * 2);
  for (let n = 0; n < count; n++) {
    let x = f(input[offset + n * stride]!);
    for (let s = 0; s < sections; s++) {
      const b0 = sos[s * 5]!;
      const b1 = sos[s * 5 + 1]!;
      const b2 = sos[s * 5 + 2]!;
      const a1 = sos[s * 5 + 3]!;
      const a2 = sos[s * 5 + 4]!;
      const z0 = state[s * 2]!;
      const z1 = state[s * 2 + 1]!;
      const y = f(f(b0 * x) + z0);
      state[s * 2] = f(f(f(b1 * x) - f(a1 * y)) + z1);
      state[s * 2 + 1] = f(f(b2 * x) - f(a2 * y));
      x = y;
    }
    out[n] = x;
  }
}
