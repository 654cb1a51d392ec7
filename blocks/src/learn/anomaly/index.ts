import { defineBlock, TinyforgeError, type JsonValue } from '@tinyforge/sdk';
import { anomalyParams, checkAnomalyParams } from './kmeans.js';

/**
 * learn/anomaly: K-means on the train category (normal data); writes `anomaly.json` (scaler,
 * clusters with radii, threshold) and `metrics.json` (score statistics per category and label).
 */
export default defineBlock({
  id: 'learn/anomaly',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'learn',
  description: 'K-means anomaly detection on chosen feature axes (Edge Impulse style): cluster distance minus radius',
  params: anomalyParams,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  checkParams: checkAnomalyParams,
  async run(ctx) {
    const p = ctx.params;
    const { fitAnomaly, anomalyScore } = await import('./kmeans.js');
    const rows: { id: string; label: string | null; category: string; values: Float32Array }[] = [];
    for await (const s of ctx.inputs.features) rows.push({ id: s.id, label: s.label, category: s.category, values: s.values });
    const train = rows.filter((r) => r.category === 'train');
    if (train.length === 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'the train category is empty: K-means needs normal training data' });
    const width = train[0]!.values.length;
    for (const r of rows) {
      if (r.values.length !== width) throw new TinyforgeError({ code: 'BAD_INPUT', message: `sample ${r.id} has ${r.values.length} feature values, expected ${width}` });
      const bad = r.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: `sample ${r.id} has a non-finite feature value at index ${bad}` });
    }
    const over = p.axes?.filter((a) => a >= width) ?? [];
    if (over.length > 0) throw new TinyforgeError({ code: 'BAD_INPUT', path: 'axes', message: `axes ${over.join(', ')} are out of range: the features have ${width} values` });
    if (train.length < p.clusters) ctx.log.warn(`only ${train.length} train samples for ${p.clusters} clusters; using ${train.length}`);
    const model = fitAnomaly(
      train.map((r) => r.values),
      p,
      ctx.inputs.features.meta['dsp'] ?? null,
    );
    ctx.progress(1, 1, `${model.clusters.length} clusters`);
    // Score statistics per category/label, e.g. to choose a threshold.
    const groups = new Map<string, number[]>();
    for (const r of rows) {
      const key = `${r.category}/${r.label ?? '(none)'}`;
      const list = groups.get(key) ?? [];
      list.push(anomalyScore(model, r.values));
      groups.set(key, list);
    }
    const stats: Record<string, JsonValue> = {};
    for (const [key, scores] of [...groups.entries()].sort()) {
      const sorted = scores.slice().sort((a, b) => a - b);
      stats[key] = {
        samples: scores.length,
        mean: scores.reduce((a, b) => a + b, 0) / scores.length,
        median: sorted[Math.floor(sorted.length / 2)]!,
        max: sorted[sorted.length - 1]!,
        overThreshold: scores.filter((s) => s > p.threshold).length / scores.length,
      };
    }
    await ctx.outputs.model.writeJson('anomaly.json', JSON.parse(JSON.stringify(model)) as JsonValue);
    await ctx.outputs.model.writeJson('metrics.json', { threshold: p.threshold, scores: stats });
    ctx.outputs.model.setMeta({ task: 'anomaly', clusters: model.clusters.length, axes: model.axes });
  },
});
