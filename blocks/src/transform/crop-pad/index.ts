import { defineBlock, type Sample } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf, framesIn, requireInterval } from '../sample-utils.js';
import { fitLength } from './crop-pad.js';

const params = z.object({
  lengthMs: z.number().positive().describe('Exact output length'),
  align: z.enum(['start', 'center', 'end']).default('start').describe('Part kept when cropping / where the signal sits when padding'),
  padValue: z.number().default(0),
});
type Params = z.output<typeof params>;

export function cropPadSample(sample: Sample, p: Params): Sample {
  const interval = requireInterval(sample, 'transform/crop-pad');
  const target = Math.max(1, framesIn(p.lengthMs, interval));
  const axes = axesOf(sample);
  const values = fitLength(sample.values, axes, target, p.align, p.padValue);
  return { ...sample, values, shape: [target, axes] };
}

export default defineBlock({
  id: 'transform/crop-pad',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Crop or zero-pad every sample to a fixed length',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  runSample: (sample, ctx) => cropPadSample(sample, ctx.params),
});
