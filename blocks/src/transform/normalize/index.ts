import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf } from '../sample-utils.js';
import { normalize } from './normalize.js';

const params = z.object({
  method: z.enum(['scale', 'peak', 'minmax', 'zscore']).default('scale').describe('scale: × factor; peak: ÷ max |x|; minmax: to [0, 1]; zscore: (x − mean) ÷ std'),
  factor: z.number().default(1).describe('Multiplier applied last (EI "scale-axes")'),
  perAxis: z.boolean().default(true).describe('Statistics per axis (true) or over all axes'),
});

export default defineBlock({
  id: 'transform/normalize',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Per-sample scaling: constant factor, peak, min-max or z-score',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  runSample: (sample, ctx) => ({ ...sample, values: normalize(sample.values, axesOf(sample), ctx.params) }),
});
