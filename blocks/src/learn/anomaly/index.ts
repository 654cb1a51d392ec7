import { defineBlock, TinyforgeError, type JsonObject, type JsonValue } from '@tinyforge/sdk';
import { anomalyParams, checkAnomalyParams } from './params.js';

const bad = (message: string, extra: { path?: string; hint?: string } = {}): TinyforgeError => new TinyforgeError({ code: 'BAD_INPUT', message, ...extra });

/**
 * learn/anomaly: K-means (EI) or a Gaussian mixture on the normal train samples; writes
 * `anomaly.json` (axes, log flags, scaler, clusters with radii or mixture components, threshold)
 * and `metrics.json` (score statistics per category and label, and the test ROC AUC of normal vs
 * anomalous labels).
 */
export default defineBlock({
  id: 'learn/anomaly',
  version: '1.2.0',
  apiVersion: 1,
  kind: 'learn',
  description: 'Anomaly detection on chosen feature axes: K-means (Edge Impulse style, cluster distance minus radius) or a Gaussian mixture (negative log-likelihood)',
  params: anomalyParams,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  checkParams: checkAnomalyParams,
  async run(ctx) {
    const p = ctx.params;
    const { fitAnomaly } = await import('./model.js');
    const { anomalyMetrics, scoreRows } = await import('./evaluate.js');
    const rows: { id: string; label: string | null; category: string; values: Float32Array }[] = [];
    for await (const s of ctx.inputs.features) rows.push({ id: s.id, label: s.label, category: s.category, values: s.values });
    const allTrain = rows.filter((r) => r.category === 'train');
    if (allTrain.length === 0) throw bad('the train category is empty: K-means needs normal training data', { hint: 'split the dataset so normal samples are in train' });
    const normal = p.normalLabels ? new Set<string | null>(p.normalLabels) : new Set(allTrain.map((r) => r.label));
    const isNormal = (label: string | null): boolean => normal.has(label);
    const train = allTrain.filter((r) => isNormal(r.label));
    if (train.length === 0) {
      const found = [...new Set(allTrain.map((r) => r.label ?? '(none)'))].sort().join(', ');
      throw bad(`no train samples are labelled ${p.normalLabels!.join(' or ')} (train labels: ${found})`, { path: 'normalLabels' });
    }
    const width = train[0]!.values.length;
    for (const r of rows) {
      if (r.values.length !== width) throw bad(`sample ${r.id} has ${r.values.length} feature values, expected ${width}`);
      const at = r.values.findIndex((v) => !Number.isFinite(v));
      if (at >= 0) throw bad(`sample ${r.id} has a non-finite feature value at index ${at}`, { hint: 'check the DSP block for NaN/Infinity (e.g. log of zero energy)' });
    }
    const over = p.axes?.filter((a) => a >= width) ?? [];
    if (over.length > 0) throw bad(`axes ${over.join(', ')} are out of range: the features have ${width} values`, { path: 'axes' });
    const logOver = p.logAxes?.filter((a) => a >= width) ?? [];
    if (logOver.length > 0) throw bad(`logAxes ${logOver.join(', ')} are out of range: the features have ${width} values`, { path: 'logAxes' });
    for (const r of train) {
      const at = p.logAxes?.find((a) => !(r.values[a]! > 0));
      if (at !== undefined) throw bad(`sample ${r.id} has ${r.values[at]} at index ${at}, a log axis: log10 needs values > 0`, { path: 'logAxes' });
    }
    const groups = p.method === 'gmm' ? p.components : p.clusters;
    if (train.length < groups) ctx.log.warn(`only ${train.length} normal train samples for ${groups} ${p.method === 'gmm' ? 'components' : 'clusters'}; using ${train.length}`);
    if (train.length < allTrain.length) ctx.log.info(`fitting ${train.length} of ${allTrain.length} train samples (normal labels: ${[...normal].join(', ')})`);
    const model = fitAnomaly(
      train.map((r) => r.values),
      p,
      ctx.inputs.features.meta['dsp'] ?? null,
    );
    const size: JsonObject = model.format === 'tinyforge-anomaly-gmm' ? { components: model.components.length } : { clusters: model.clusters.length };
    ctx.progress(1, 1, Object.entries(size).map(([k, v]) => `${v} ${k}`).join(''));
    const metrics = anomalyMetrics(scoreRows(model, rows), isNormal, model.threshold);
    const auc = metrics['auc'] as { test: number; negatives: number; positives: number } | null;
    if (auc) ctx.log.info(`test ROC AUC ${auc.test.toFixed(4)} (${auc.negatives} normal, ${auc.positives} anomalous samples)`);
    await ctx.outputs.model.writeJson('anomaly.json', JSON.parse(JSON.stringify(model)) as JsonValue);
    await ctx.outputs.model.writeJson('metrics.json', { normalLabels: [...normal].map((l) => l ?? null), ...metrics });
    ctx.outputs.model.setMeta({ task: 'anomaly', method: p.method, ...size, axes: model.axes, testAuc: auc ? Math.round(auc.test * 10000) / 10000 : null });
  },
});
