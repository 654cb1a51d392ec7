import { TinyforgeError } from '@tinyforge/sdk';
import type { Rng } from '../nn/rng.js';
import { kmeans } from './kmeans.js';

export interface GmmComponent {
  weight: number;
  mean: number[];
  /** L⁻¹ (d × d, row-major, lower triangular) where Σ = L·Lᵀ: the Mahalanobis term is ‖L⁻¹(x − μ)‖². */
  precisionCholesky: number[];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Lower Cholesky factor of a symmetric positive-definite d × d matrix, in place; false if not PD. */
function cholesky(a: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let k = 0; k < j; k++) s -= a[j * d + k]! ** 2;
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    a[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = t / l;
    }
    for (let k = j + 1; k < d; k++) a[j * d + k] = 0;
  }
  return true;
}

/** Inverse of a lower-triangular matrix (forward substitution per column). */
function invertLower(l: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * d + k]! * inv[k * d + c]!;
      inv[i * d + c] = s / l[i * d + i]!;
    }
  }
  return inv;
}

/**
 * log(weight) + log det L⁻¹ − d/2·log 2π: the part of a component's log density that does not
 * depend on z (the C scorer bakes it into a table).
 */
export function componentLogConstant(c: GmmComponent): number {
  const d = c.mean.length;
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(c.precisionCholesky[i * d + i]!);
  return Math.log(c.weight) + logDet - 0.5 * d * LOG_2PI;
}

/** ‖L⁻¹(z − μ)‖²: the squared Mahalanobis distance of z from the component. */
export function mahalanobisSquared(c: GmmComponent, z: ArrayLike<number>, scratch: Float64Array): number {
  const d = c.mean.length;
  for (let k = 0; k < d; k++) scratch[k] = z[k]! - c.mean[k]!;
  let maha = 0;
  for (let i = 0; i < d; i++) {
    let y = 0;
    for (let k = 0; k <= i; k++) y += c.precisionCholesky[i * d + k]! * scratch[k]!;
    maha += y * y;
  }
  return maha;
}

/** log(weight · N(z; μ, Σ)) of one component. */
export function componentLogDensity(c: GmmComponent, z: ArrayLike<number>, scratch: Float64Array): number {
  return componentLogConstant(c) - 0.5 * mahalanobisSquared(c, z, scratch);
}

/** −log p(z) under the mixture (log-sum-exp over components). */
export function gmmNegLogLikelihood(components: readonly GmmComponent[], z: ArrayLike<number>, scratch: Float64Array): number {
  let max = -Infinity;
  const logs = components.map((c) => componentLogDensity(c, z, scratch));
  for (const l of logs) max = Math.max(max, l);
  if (max === -Infinity) return Infinity;
  let s = 0;
  for (const l of logs) s += Math.exp(l - max);
  return -(max + Math.log(s));
}

/**
 * Full-covariance Gaussian mixture by EM on n rows of x (n × d, row-major), started from a
 * K-means partition. `regularization` is added to every covariance diagonal (sklearn's
 * reg_covar). Stops when the mean log-likelihood gains less than 1e-6 or after `maxIterations`.
 */
export function fitGmm(x: Float64Array, n: number, d: number, k: number, regularization: number, maxIterations: number, rng: Rng): GmmComponent[] {
  const init = kmeans(x, n, d, k, Math.min(maxIterations, 100), rng);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + init.assign[i]!] = 1;
  let components: GmmComponent[] = [];
  const scratch = new Float64Array(d);
  let previous = -Infinity;
  for (let it = 0; it < maxIterations; it++) {
    // M step.
    const next: GmmComponent[] = [];
    for (let j = 0; j < k; j++) {
      let nk = 0;
      for (let i = 0; i < n; i++) nk += resp[i * k + j]!;
      if (nk < 1e-10) continue; // an emptied component drops out
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + j]!;
        if (r !== 0) for (let m = 0; m < d; m++) mean[m] = mean[m]! + r * x[i * d + m]!;
      }
      for (let m = 0; m < d; m++) mean[m] = mean[m]! / nk;
      const cov = new Float64Array(d * d);
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + j]!;
        if (r === 0) continue;
        for (let m = 0; m < d; m++) scratch[m] = x[i * d + m]! - mean[m]!;
        for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) cov[a * d + b] = cov[a * d + b]! + r * scratch[a]! * scratch[b]!;
      }
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) cov[a * d + b] = cov[a * d + b]! / nk;
        cov[a * d + a] = cov[a * d + a]! + regularization;
      }
      if (!cholesky(cov, d)) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'a GMM covariance is not positive definite (duplicate or collinear samples)', path: 'regularization', hint: 'raise regularization (e.g. 1e-3)' });
      next.push({ weight: nk / n, mean: Array.from(mean), precisionCholesky: Array.from(invertLower(cov, d)) });
    }
    components = next;
    // E step, with the mean log-likelihood for the stopping rule.
    const kk = components.length;
    let total = 0;
    const logs = new Float64Array(kk);
    for (let i = 0; i < n; i++) {
      const row = x.subarray(i * d, i * d + d);
      let max = -Infinity;
      for (let j = 0; j < kk; j++) {
        logs[j] = componentLogDensity(components[j]!, row, scratch);
        max = Math.max(max, logs[j]!);
      }
      let s = 0;
      for (let j = 0; j < kk; j++) s += Math.exp(logs[j]! - max);
      total += max + Math.log(s);
      for (let j = 0; j < k; j++) resp[i * k + j] = j < kk ? Math.exp(logs[j]! - max) / s : 0;
    }
    const mean = total / n;
    if (mean - previous < 1e-6) break;
    previous = mean;
  }
  return components;
}
