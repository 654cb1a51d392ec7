import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  gain: z.number().default(1).describe('Every value is multiplied by this'),
});

/** Multiplies every value by a gain (dataset → dataset, per sample). */
const block = defineBlock({
  id: 'gain',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'transform',
  description: 'Multiplies every value by a gain',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  // Pure: same sample + params → same output. Return a new sample; never mutate the input.
  runSample(sample, ctx) {
    const values = new Float32Array(sample.values.length);
    for (let i = 0; i < values.length; i++) values[i] = sample.values[i]! * ctx.params.gain;
    return { ...sample, values };
  },
});

export default block;

// Typed pipelines: with this package's types loaded, `block: 'gain@1'` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'gain@1': BlockParamsInput<typeof block>;
  }
}
