/** Moment statistics as scipy.stats computes them (biased skewness, Fisher kurtosis). */

export function mean(x: ArrayLike<number>, offset = 0, count = x.length - offset, stride = 1): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += x[offset + i * stride]!;
  return sum / count;
}

export interface Moments {
  mean: number;
  /** Population variance (ddof 0). */
  m2: number;
  m3: number;
  m4: number;
}

export function moments(x: ArrayLike<number>, offset = 0, count = x.length - offset, stride = 1): Moments {
  const mu = mean(x, offset, count, stride);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < count; i++) {
    const d = x[offset + i * stride]! - mu;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { mean: mu, m2: m2 / count, m3: m3 / count, m4: m4 / count };
}

/**
 * scipy.stats.skew (bias=True): m3 / m2^1.5. Like scipy, a (numerically) constant input gives NaN
 * there; we return 0 instead, since NaN features poison training.
 */
export function skewFromMoments(m: Moments): number {
  if (!(m.m2 > constantThreshold(m.mean))) return 0;
  return m.m3 / Math.pow(m.m2, 1.5);
}

/** scipy.stats.kurtosis (fisher=True, bias=True): m4 / m2² − 3; constant input gives −3 there, 0 here. */
export function kurtosisFromMoments(m: Moments): number {
  if (!(m.m2 > constantThreshold(m.mean))) return 0;
  return m.m4 / (m.m2 * m.m2) - 3;
}

/** scipy treats m2 ≤ (resolution·mean)² as a constant input (resolution 1e-15 for float64). */
function constantThreshold(mu: number): number {
  const r = 1e-15 * mu;
  return r * r;
}
