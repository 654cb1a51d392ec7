import { defineBlock, TinyforgeError, type JsonValue } from '@tinyforge/sdk';
import { checkRegressionParams, DEFAULT_LAYERS, regressionParams } from './regression.js';
import { parseLayers } from '../nn/spec.js';
import type { FeatureRow } from '../rows.js';

/**
 * learn/regression: a dense network with a linear output trained with MSE/MAE on numeric
 * labels; writes float32 + int8 model IR, metrics (MSE, MAE, RMSE, R²) and training curves.
 */
export default defineBlock({
  id: 'learn/regression',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'learn',
  description: 'Neural-network regression (numeric labels, MSE/MAE) → float32 + int8 model IR with metrics',
  params: regressionParams,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  // An installed @tensorflow/tfjs-node trains instead of the engine: its version enters the key.
  // Undefined (engine) leaves the key as it was; the runner skips an undefined identity, the SDK type does not say so.
  identity: async (params) => (await import('../nn/trainer.js')).trainerIdentity(params.trainer) as JsonValue,
  checkParams: checkRegressionParams,
  async run(ctx) {
    const p = ctx.params;
    const { assertLayersFitMeta } = await import('../nn/fit-check.js');
    assertLayersFitMeta(p.layers ?? parseLayers(DEFAULT_LAYERS), ctx.inputs.features.meta, 1);
    const rows: FeatureRow[] = [];
    for await (const s of ctx.inputs.features) {
      const group = p.validationGroupKey ? s.meta?.[p.validationGroupKey] : s.meta?.['augmentedFrom'];
      rows.push({ id: s.id, label: s.label, category: s.category, values: s.values, ...(s.shape ? { shape: s.shape } : {}), group: group == null ? null : String(group) });
    }
    if (rows.length === 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'the features artifact has no samples' });
    const { trainRegression } = await import('./regression.js');
    const result = await trainRegression(rows, p, (ctx.inputs.features.meta['dsp'] ?? null) as JsonValue, {
      info: (m) => ctx.log.info(m),
      onEpoch: (log, epochs) => {
        if (ctx.signal.aborted) throw new TinyforgeError({ code: 'CANCELLED', message: 'training cancelled' });
        const note = `loss ${log.loss.toFixed(4)}${log.val_loss !== null ? ` val_loss ${log.val_loss.toFixed(4)}` : ''}`;
        ctx.progress(log.epoch, epochs, note);
        ctx.log.info(`epoch ${log.epoch}/${epochs}: ${note}`);
      },
    });
    const out = ctx.outputs.model;
    const json = (v: unknown): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;
    await out.writeJson('ir.float32.json', json(result.float.ir));
    await out.writeFile('weights.float32.bin', result.float.bin);
    if (result.int8) {
      await out.writeJson('ir.int8.json', json(result.int8.ir));
      await out.writeFile('weights.int8.bin', result.int8.bin);
      if (result.golden) await out.writeJson('golden.int8.json', json(result.golden));
    }
    await out.writeJson('metrics.json', json({ counts: result.counts, ...result.metrics }));
    await out.writeJson('curves.json', json({ bestEpoch: result.training.bestEpoch, stoppedEarly: result.training.stoppedEarly, epochs: result.training.curves.map(({ seconds: _s, ...rest }) => rest) }));
    await out.writeJson('spec.json', json({ layers: result.layers, inputShape: result.inputShape }));
    out.setMeta({ task: 'regression', inputShape: result.inputShape, counts: json(result.counts), testMaeFloat32: result.metrics.float32.test.mae, testMaeInt8: result.metrics.int8?.test.mae ?? null });
  },
});
