import { TinyforgeError } from '@tinyforge/sdk';
import { Rng } from '../nn/rng.js';
import { fitGmm, gmmNegLogLikelihood, type GmmComponent } from './gmm.js';
import { kmeans, kmeansClusters, kmeansScore, type KmeansCluster } from './kmeans.js';
import type { AnomalyParams } from './params.js';

/** How a feature vector becomes the model's input: pick axes, optional log10, standard-scale. */
interface FeatureMap {
  axes: number[];
  /** Per picked axis: log10 first (v2 models; absent in v1 K-means models). */
  log?: boolean[];
  mean: number[];
  scale: number[];
}

/**
 * Edge Impulse's K-means model (classifier/inferencing_engines/anomaly.h): score =
 * `min_k(‖z − c_k‖ − maxError_k)`, ≤ 0 inside a cluster. Version 1 had no `log`.
 */
export interface KmeansAnomalyModel extends FeatureMap {
  format: 'tinyforge-anomaly-kmeans';
  version: 1 | 2;
  clusters: KmeansCluster[];
  threshold: number;
  dsp: unknown;
}

/** Gaussian mixture: score = −log p(z) − offset, with offset the largest over the normal train samples (so those score ≤ 0). */
export interface GmmAnomalyModel extends FeatureMap {
  format: 'tinyforge-anomaly-gmm';
  version: 1;
  components: GmmComponent[];
  offset: number;
  threshold: number;
  dsp: unknown;
}

export type AnomalyModel = KmeansAnomalyModel | GmmAnomalyModel;

/** Values ≤ 0 on a log axis (e.g. a dead sensor's RMS) map far below any normal value instead of to −∞/NaN. */
const LOG_FLOOR = 1e-30;

/** The model input of one feature vector, into `out`. */
export function mapFeatures(map: FeatureMap, values: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let a = 0; a < map.axes.length; a++) {
    let v = values[map.axes[a]!]!;
    if (map.log?.[a]) v = Math.log10(Math.max(v, LOG_FLOOR));
    out[a] = (v - map.mean[a]!) / map.scale[a]!;
  }
  return out;
}

/** Fits the model on normal training vectors (full feature vectors; axes are picked here). */
export function fitAnomaly(train: readonly ArrayLike<number>[], p: AnomalyParams, dsp: unknown): AnomalyModel {
  const n = train.length;
  const width = train[0]!.length;
  const axes = p.axes ?? Array.from({ length: width }, (_, i) => i);
  const logAxes = new Set(p.logAxes ?? []);
  const log = axes.map((a) => logAxes.has(a));
  const d = axes.length;
  const x = new Float64Array(n * d);
  train.forEach((v, i) => {
    for (let a = 0; a < d; a++) {
      const raw = v[axes[a]!]!;
      if (log[a] && !(raw > 0)) throw new TinyforgeError({ code: 'BAD_INPUT', path: 'logAxes', message: `train sample ${i} has ${raw} at log axis ${axes[a]}; log10 needs values > 0` });
      x[i * d + a] = log[a] ? Math.log10(raw) : raw;
    }
  });
  // sklearn StandardScaler: population std, zero std → 1.
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  if (p.standardize) {
    scale.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] = mean[k]! + x[i * d + k]! / n;
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) scale[k] = scale[k]! + (x[i * d + k]! - mean[k]!) ** 2 / n;
    for (let k = 0; k < d; k++) scale[k] = Math.sqrt(scale[k]!) || 1;
  }
  const map: FeatureMap = { axes, log, mean: Array.from(mean, Math.fround), scale: Array.from(scale, Math.fround) };
  // Scale with the stored (float32) scaler, so train samples score as the artifact scores them.
  const row = new Float64Array(d);
  train.forEach((v, i) => x.set(mapFeatures(map, v, row), i * d));
  const rng = new Rng(p.seed);

  if (p.method === 'gmm') {
    const components = fitGmm(x, n, d, Math.min(p.components, n), p.regularization, p.maxIterations, rng).map((c) => ({
      weight: Math.fround(c.weight),
      mean: c.mean.map(Math.fround),
      precisionCholesky: c.precisionCholesky.map(Math.fround),
    }));
    let offset = -Infinity;
    for (let i = 0; i < n; i++) offset = Math.max(offset, gmmNegLogLikelihood(components, x.subarray(i * d, i * d + d), row));
    return { format: 'tinyforge-anomaly-gmm', version: 1, ...map, components, offset, threshold: p.threshold ?? 0, dsp };
  }
  const fit = kmeans(x, n, d, Math.min(p.clusters, n), p.maxIterations, rng);
  return { format: 'tinyforge-anomaly-kmeans', version: 2, ...map, clusters: kmeansClusters(x, n, d, fit), threshold: p.threshold ?? 0.3, dsp };
}

/** K-means: EI's cluster distance minus radius; GMM: −log-likelihood minus the train maximum. Both ≤ 0 on normal train data. */
export function anomalyScore(model: AnomalyModel, values: ArrayLike<number>): number {
  const z = mapFeatures(model, values, new Float64Array(model.axes.length));
  if (model.format === 'tinyforge-anomaly-gmm') return gmmNegLogLikelihood(model.components, z, new Float64Array(z.length)) - model.offset;
  return kmeansScore(model.clusters, z);
}
