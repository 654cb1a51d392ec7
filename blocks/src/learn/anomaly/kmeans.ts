import { z } from 'zod';
import type { ParamProblem } from '@tinyforge/sdk';
import { Rng } from '../nn/rng.js';

/**
 * K-means anomaly detection as Edge Impulse does it (classifier/inferencing_engines/anomaly.h):
 * standard-scale the chosen axes with the training mean/std, cluster with K-means, keep each
 * cluster's radius (`maxError`, the distance of its farthest training member). The score of x
 * is `min_k(‖x − c_k‖ − maxError_k)`: ≤ 0 inside a cluster, > 0 outside; `threshold` flags it.
 */
export const anomalyParams = z.object({
  /** Feature indices to use; all features when absent (EI "selectedAxes"). */
  axes: z.array(z.number().int().min(0)).min(1).optional(),
  /** EI "clusterCount". */
  clusters: z.number().int().min(1).max(1024).default(32),
  /** Score above which a window is anomalous (EI's default 0.3). */
  threshold: z.number().default(0.3),
  maxIterations: z.number().int().min(1).max(10_000).default(300),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /**
   * Labels of normal data: only train samples with one of them are clustered, and test samples
   * with other labels are the anomalies the metrics score. Default: every train sample is normal.
   */
  normalLabels: z.array(z.string().min(1)).min(1).optional(),
});
export type AnomalyParams = z.output<typeof anomalyParams>;

export function checkAnomalyParams(p: AnomalyParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (p.axes && new Set(p.axes).size !== p.axes.length) problems.push({ path: 'axes', message: 'axes must not repeat' });
  if (p.normalLabels && new Set(p.normalLabels).size !== p.normalLabels.length) problems.push({ path: 'normalLabels', message: 'normalLabels must not repeat' });
  return problems;
}

export interface AnomalyModel {
  format: 'tinyforge-anomaly-kmeans';
  version: 1;
  axes: number[];
  mean: number[];
  scale: number[];
  clusters: { center: number[]; maxError: number }[];
  threshold: number;
  dsp: unknown;
}

/** Picks the axes of one feature vector. */
function pick(values: ArrayLike<number>, axes: readonly number[], out: Float64Array): Float64Array {
  for (let a = 0; a < axes.length; a++) out[a] = values[axes[a]!]!;
  return out;
}

function dist2(x: Float64Array, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const v = x[xo + k]! - c[co + k]!;
    s += v * v;
  }
  return s;
}

/** Fits the model on training vectors (already restricted to nothing: full feature vectors). */
export function fitAnomaly(train: readonly ArrayLike<number>[], p: AnomalyParams, dsp: unknown): AnomalyModel {
  const n = train.length;
  const width = train[0]!.length;
  const axes = p.axes ?? Array.from({ length: width }, (_, i) => i);
  const d = axes.length;
  const x = new Float64Array(n * d);
  const tmp = new Float64Array(d);
  train.forEach((v, i) => x.set(pick(v, axes, tmp), i * d));
  // sklearn StandardScaler: population std, zero std → 1.
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] = mean[k]! + x[i * d + k]! / n;
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) scale[k] = scale[k]! + (x[i * d + k]! - mean[k]!) ** 2 / n;
  for (let k = 0; k < d; k++) scale[k] = Math.sqrt(scale[k]!) || 1;
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) x[i * d + k] = (x[i * d + k]! - mean[k]!) / scale[k]!;

  const K = Math.min(p.clusters, n);
  const rng = new Rng(p.seed);
  // k-means++ seeding.
  const c = new Float64Array(K * d);
  const first = rng.int(n);
  c.set(x.subarray(first * d, first * d + d), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let k = 1; k < K; k++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i]!, dist2(x, i * d, c, (k - 1) * d, d));
      total += best[i]!;
    }
    let r = rng.next() * total;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      r -= best[i]!;
      if (r <= 0) {
        chosen = i;
        break;
      }
    }
    c.set(x.subarray(chosen * d, chosen * d + d), k * d);
  }
  // Lloyd iterations.
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < p.maxIterations; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let bk = 0;
      let bd = Infinity;
      for (let k = 0; k < K; k++) {
        const dd = dist2(x, i * d, c, k * d, d);
        if (dd < bd) {
          bd = dd;
          bk = k;
        }
      }
      if (assign[i] !== bk) {
        assign[i] = bk;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = new Float64Array(K * d);
    const counts = new Int32Array(K);
    for (let i = 0; i < n; i++) {
      const k = assign[i]!;
      counts[k]!++;
      for (let j = 0; j < d; j++) sums[k * d + j] = sums[k * d + j]! + x[i * d + j]!;
    }
    for (let k = 0; k < K; k++) if (counts[k]! > 0) for (let j = 0; j < d; j++) c[k * d + j] = sums[k * d + j]! / counts[k]!;
  }
  const maxError = new Float64Array(K);
  for (let i = 0; i < n; i++) maxError[assign[i]!] = Math.max(maxError[assign[i]!]!, Math.sqrt(dist2(x, i * d, c, assign[i]! * d, d)));
  const clusters = Array.from({ length: K }, (_, k) => ({ center: Array.from(c.subarray(k * d, k * d + d), Math.fround), maxError: Math.fround(maxError[k]!) }));
  return {
    format: 'tinyforge-anomaly-kmeans',
    version: 1,
    axes,
    mean: Array.from(mean, Math.fround),
    scale: Array.from(scale, Math.fround),
    clusters,
    threshold: p.threshold,
    dsp,
  };
}

/** EI's score: min over clusters of (distance to centre − cluster radius), in scaled units. */
export function anomalyScore(model: AnomalyModel, values: ArrayLike<number>): number {
  const d = model.axes.length;
  let best = Infinity;
  for (const cl of model.clusters) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = (values[model.axes[k]!]! - model.mean[k]!) / model.scale[k]! - cl.center[k]!;
      s += v * v;
    }
    best = Math.min(best, Math.sqrt(s) - cl.maxError);
  }
  return best;
}
