import type { JsonObject } from '@tinyforge/sdk';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  samples: number;
  accuracy: number;
  /** Mean categorical cross-entropy of the predicted probabilities. */
  loss: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[actual][predicted], in `labels` order. */
  confusion: number[][];
}

/** Metrics of row-major class probabilities against true class indices. */
export function classificationMetrics(probs: ArrayLike<number>, truth: ArrayLike<number>, labels: readonly string[]): ClassificationMetrics {
  const C = labels.length;
  const n = truth.length;
  const confusion = labels.map(() => new Array<number>(C).fill(0));
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c]! > probs[i * C + best]!) best = c;
    const t = truth[i]!;
    confusion[t]![best]!++;
    if (best === t) correct++;
    loss -= Math.log(Math.min(Math.max(probs[i * C + t]!, 1e-7), 1));
  }
  const perClass: Record<string, ClassMetrics> = {};
  labels.forEach((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support };
  });
  return { samples: n, accuracy: n > 0 ? correct / n : 0, loss: n > 0 ? loss / n : 0, perClass, confusion };
}

export function metricsJson(m: ClassificationMetrics | null): JsonObject | null {
  return m ? (JSON.parse(JSON.stringify(m)) as JsonObject) : null;
}

/**
 * ROC AUC of a score where higher means "positive": the probability that a random positive
 * scores above a random negative, ties counting half (Mann–Whitney U / (n₊·n₋)). NaN when
 * either side is empty.
 */
export function rocAuc(negatives: readonly number[], positives: readonly number[]): number {
  if (negatives.length === 0 || positives.length === 0) return NaN;
  const all = [...negatives.map((s) => ({ s, pos: false })), ...positives.map((s) => ({ s, pos: true }))].sort((a, b) => a.s - b.s);
  // Sum of the positives' ranks (1-based), tied scores sharing their mean rank.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.pos) rankSum += meanRank;
    i = j;
  }
  const np = positives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negatives.length);
}
