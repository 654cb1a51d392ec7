import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';

const params = z.object({
  map: z.record(z.string(), z.string().nullable()).describe('Old label → new label; null drops the samples with that label'),
  keepUnmapped: z.boolean().default(true).describe('false: samples whose label is not in the map are dropped'),
});

/** Renames, merges or drops labels (e.g. weight configurations 1 and 2 → "unbalanced"). */
export default defineBlock({
  id: 'transform/relabel',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Rename, merge or drop labels',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  runSample(sample, ctx) {
    const { map, keepUnmapped } = ctx.params;
    if (sample.label === null || !(sample.label in map)) return keepUnmapped ? sample : null;
    const label = map[sample.label]!;
    return label === null ? null : { ...sample, label };
  },
});
