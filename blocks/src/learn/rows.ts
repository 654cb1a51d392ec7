import { TinyforgeError } from '@tinyforge/sdk';

/** One feature vector as a learn block sees it. */
export interface FeatureRow {
  id: string;
  label: string | null;
  category: 'train' | 'test';
  values: Float32Array;
  shape?: number[];
  /** Value of the validation group key (e.g. a speaker id), when one is configured. */
  group?: string | null;
}

export const bad = (message: string, hint?: string): TinyforgeError => new TinyforgeError({ code: 'BAD_INPUT', message, ...(hint ? { hint } : {}) });

/** Checks the rows and returns the common feature shape. */
export function checkRows(rows: readonly FeatureRow[], needTest = true, needLabels = true): number[] {
  const train = rows.filter((r) => r.category === 'train');
  const test = rows.filter((r) => r.category === 'test');
  if (train.length === 0) throw bad('the train category is empty: nothing to learn from', 'split the dataset (ingest split) so some samples are in train');
  if (needTest && test.length === 0) throw bad('the test category is empty: the model cannot be evaluated', 'split the dataset so some samples are in test');
  const first = rows[0]!;
  const shape = first.shape && first.shape.reduce((a, b) => a * b, 1) === first.values.length ? first.shape.slice() : [first.values.length];
  for (const r of rows) {
    if (needLabels && r.label === null) throw bad(`sample ${r.id} has no label; a classifier needs labelled samples`);
    if (r.values.length !== first.values.length)
      throw new TinyforgeError({ code: 'BAD_INPUT', message: `sample ${r.id} has ${r.values.length} feature values, ${first.id} has ${first.values.length}`, hint: 'every sample must go through the same DSP settings and window length' });
    for (let i = 0; i < r.values.length; i++)
      if (!Number.isFinite(r.values[i]!)) throw bad(`sample ${r.id} has a non-finite feature value (${r.values[i]}) at index ${i}`, 'check the DSP block for NaN/Infinity (e.g. log of zero energy)');
  }
  return shape;
}

export function toMatrix(rows: readonly FeatureRow[], size: number): Float64Array {
  const x = new Float64Array(rows.length * size);
  rows.forEach((r, i) => x.set(r.values, i * size));
  return x;
}

