import { z } from 'zod';
import { withEmitC } from '../emit-c.js';
import { emitRawC } from './raw-c.js';
import { defineBlock } from '@tinyforge/sdk';
import { dspMeta } from '../common/block-helpers.js';
import { featuresSample, inputFacts, readSignal } from '../common/sample-input.js';
import { raw } from './raw.js';

const BLOCK_ID = 'dsp/raw';

/** Parameters under Edge Impulse's `parameters.json` names and defaults. */
export const rawParams = z.object({
  'scale-axes': z.number().default(1).describe('Multiplies every value by this number'),
});

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.0',
  apiVersion: 1,
  kind: 'dsp',
  description: 'Raw data: the window itself (interleaved frames × axes), optionally scaled (Edge Impulse compatible)',
  params: rawParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  outputMeta(params, inputMeta) {
    const facts = inputFacts(inputMeta);
    const shape = facts.frames !== undefined && facts.axes !== undefined ? [facts.frames, facts.axes] : null;
    return dspMeta(BLOCK_ID, params, shape);
  },
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: false, block: BLOCK_ID });
    const out = new Float32Array(signal.values.length);
    raw(signal.values, ctx.params['scale-axes'], out);
    return featuresSample(sample, out, [signal.length, signal.axes]);
  },
}), emitRawC);
