import { TinyforgeError, type FileSetReader } from '@tinyforge/sdk';
import { anomalyScore, type AnomalyModel } from './model.js';

export interface AnomalyScorer {
  model: AnomalyModel;
  threshold: number;
  /** ≤ 0 on normal train data (inside a K-means cluster / as likely as a normal sample), larger = more anomalous. */
  score(features: ArrayLike<number>): number;
  isAnomaly(features: ArrayLike<number>): boolean;
}

/**
 * The anomaly model artifact as a scorer (what `loadPredictor` is for classifiers). Not wired as
 * the block's `loadPredictor`: a Predictor returns per-label scores, which `tinyforge test`/`eval`
 * judge as class probabilities, and an anomaly score is not one.
 */
export async function loadAnomalyScorer(artifact: FileSetReader): Promise<AnomalyScorer> {
  if (!artifact.files.some((f) => f.name === 'anomaly.json')) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'the model artifact has no anomaly.json (not a learn/anomaly model)' });
  const model = await artifact.readJson<AnomalyModel>('anomaly.json');
  const known = (model.format === 'tinyforge-anomaly-kmeans' && (model.version === 1 || model.version === 2)) || (model.format === 'tinyforge-anomaly-gmm' && model.version === 1);
  if (!known) {
    throw new TinyforgeError({ code: 'BAD_INPUT', message: `anomaly.json has format ${String(model.format)} v${String(model.version)}; expected tinyforge-anomaly-kmeans v1/v2 or tinyforge-anomaly-gmm v1` });
  }
  const width = Math.max(...model.axes) + 1;
  const score = (features: ArrayLike<number>): number => {
    if (features.length < width) throw new TinyforgeError({ code: 'BAD_INPUT', message: `the anomaly model reads feature index ${width - 1}, but the vector has ${features.length} values` });
    return anomalyScore(model, features);
  };
  return { model, threshold: model.threshold, score, isAnomaly: (f) => score(f) > model.threshold };
}
