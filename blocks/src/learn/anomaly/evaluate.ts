import type { JsonObject } from '@tinyforge/sdk';
import { rocAuc } from '../metrics.js';
import { anomalyScore, type AnomalyModel } from './model.js';

export interface ScoredRow {
  category: string;
  label: string | null;
  score: number;
}

/** Count, mean, spread and quantiles of scores, and the share above the threshold. */
function scoreStats(scores: readonly number[], threshold: number): JsonObject {
  const sorted = scores.slice().sort((a, b) => a - b);
  const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
  return {
    samples: scores.length,
    mean,
    std,
    min: sorted[0]!,
    p05: q(0.05),
    median: q(0.5),
    p95: q(0.95),
    max: sorted[sorted.length - 1]!,
    overThreshold: scores.filter((s) => s > threshold).length / scores.length,
  };
}

/**
 * What metrics.json holds: score statistics per `category/label`, and on the test category the
 * ROC AUC of the score with normal samples as negatives and every other labelled sample as a
 * positive (overall and per anomalous label), or null when test lacks either side.
 */
export function anomalyMetrics(rows: readonly ScoredRow[], isNormal: (label: string | null) => boolean, threshold: number): JsonObject {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.category}/${r.label ?? '(none)'}`;
    groups.set(key, [...(groups.get(key) ?? []), r.score]);
  }
  const scores: JsonObject = {};
  for (const [key, list] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) scores[key] = scoreStats(list, threshold);

  const test = rows.filter((r) => r.category === 'test');
  const negatives = test.filter((r) => isNormal(r.label)).map((r) => r.score);
  const anomalous = test.filter((r) => r.label !== null && !isNormal(r.label));
  let auc: JsonObject | null = null;
  if (negatives.length > 0 && anomalous.length > 0) {
    const perLabel: JsonObject = {};
    for (const label of [...new Set(anomalous.map((r) => r.label!))].sort()) perLabel[label] = rocAuc(negatives, anomalous.filter((r) => r.label === label).map((r) => r.score));
    const positives = anomalous.map((r) => r.score);
    auc = {
      test: rocAuc(negatives, positives),
      negatives: negatives.length,
      positives: positives.length,
      perLabel,
      // At the configured threshold: anomalies caught, normal windows flagged.
      truePositiveRate: positives.filter((s) => s > threshold).length / positives.length,
      falsePositiveRate: negatives.filter((s) => s > threshold).length / negatives.length,
    };
  }
  return { threshold, scores, auc };
}

export function scoreRows<T extends { category: string; label: string | null; values: ArrayLike<number> }>(model: AnomalyModel, rows: readonly T[]): ScoredRow[] {
  return rows.map((r) => ({ category: r.category, label: r.label, score: anomalyScore(model, r.values) }));
}
