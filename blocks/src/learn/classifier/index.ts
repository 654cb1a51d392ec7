import { defineBlock, TinyforgeError, type JsonValue } from '@tinyforge/sdk';
import { checkClassifierParams, classifierParams, resolveLayers } from './params.js';
import type { FeatureRow } from './classifier.js';

/**
 * learn/classifier: trains a neural-network classifier on a features artifact and writes a
 * model artifact: the float32 and int8 model IR (`ir.*.json` + `weights.*.bin`), metrics of
 * both on the validation and test categories, and the per-epoch training curves.
 */
export default defineBlock({
  id: 'learn/classifier',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'learn',
  description: 'Neural-network classifier (Keras-like layers or EI presets) → float32 + int8 model IR with metrics',
  params: classifierParams,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  // An installed @tensorflow/tfjs-node trains instead of the engine: its version enters the key.
  // Undefined (engine) leaves the key as it was; the runner skips an undefined identity, the SDK type does not say so.
  identity: async (params) => (await import('../nn/trainer.js')).trainerIdentity(params.trainer) as JsonValue,
  checkParams: checkClassifierParams,
  loadPredictor: async (model, options) => (await import('./predictor.js')).loadClassifierPredictor(model, options),
  async run(ctx) {
    const p = ctx.params;
    // Layers that cannot take the features' announced shape fail before any sample is read.
    const { assertLayersFitMeta, featureShapeFromMeta } = await import('../nn/fit-check.js');
    const announced = featureShapeFromMeta(ctx.inputs.features.meta);
    if (announced) assertLayersFitMeta(resolveLayers(p, announced), ctx.inputs.features.meta, 2);
    const rows: FeatureRow[] = [];
    for await (const s of ctx.inputs.features) {
      // Augmented copies stay on their source's side of the validation split.
      const group = p.validationGroupKey ? s.meta?.[p.validationGroupKey] : s.meta?.['augmentedFrom'];
      rows.push({
        id: s.id,
        label: s.label,
        category: s.category,
        values: s.values,
        ...(s.shape ? { shape: s.shape } : {}),
        group: group === undefined || group === null ? null : String(group),
      });
    }
    if (rows.length === 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'the features artifact has no samples' });
    // Training is CPU-bound; the kernel is loaded only when the block runs.
    const { trainClassifier, resultSummary } = await import('./classifier.js');
    const dsp = (ctx.inputs.features.meta['dsp'] ?? null) as JsonValue;
    const result = await trainClassifier(rows, p, dsp, {
      info: (m) => ctx.log.info(m),
      onEpoch: (log, epochs) => {
        if (ctx.signal.aborted) throw new TinyforgeError({ code: 'CANCELLED', message: 'training cancelled' });
        const val = log.val_loss !== null ? ` val_loss ${log.val_loss.toFixed(4)} val_acc ${(log.val_acc ?? 0).toFixed(4)}` : '';
        const note = `loss ${log.loss.toFixed(4)} acc ${log.acc.toFixed(4)}${val}`;
        ctx.progress(log.epoch, epochs, note);
        ctx.log.info(`epoch ${log.epoch}/${epochs}: ${note}`);
      },
    });
    const out = ctx.outputs.model;
    await out.writeJson('ir.float32.json', result.float.ir as unknown as JsonValue);
    await out.writeFile('weights.float32.bin', result.float.bin);
    if (result.int8) {
      await out.writeJson('ir.int8.json', result.int8.ir as unknown as JsonValue);
      await out.writeFile('weights.int8.bin', result.int8.bin);
      if (result.golden) await out.writeJson('golden.int8.json', result.golden as unknown as JsonValue);
    }
    await out.writeJson('metrics.json', JSON.parse(JSON.stringify({ labels: result.labels, counts: result.counts, ...result.metrics })) as JsonValue);
    await out.writeJson('curves.json', JSON.parse(JSON.stringify({ bestEpoch: result.training.bestEpoch, stoppedEarly: result.training.stoppedEarly, epochs: result.training.curves.map(({ seconds: _s, ...rest }) => rest) })) as JsonValue);
    await out.writeJson('spec.json', JSON.parse(JSON.stringify({ layers: result.layers, inputShape: result.inputShape, labels: result.labels })) as JsonValue);
    const summary = resultSummary(result);
    out.setMeta({ task: 'classification', ...summary });
    ctx.log.info(`test accuracy: float32 ${summary['testAccuracyFloat32']} %, int8 ${summary['testAccuracyInt8'] ?? '—'} %`);
  },
});
