import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  minSamplesPerLabel: z.number().int().min(1).default(1).describe('Fail when a label has fewer training samples'),
});

/** Nearest-centroid classifier: the mean feature vector per label (features → model, whole artifact). */
const block = defineBlock({
  id: 'centroid',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'learn',
  description: 'Nearest-centroid classifier: the mean feature vector per label',
  params,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  async run(ctx) {
    const sums = new Map<string, { sum: Float64Array; count: number }>();
    for await (const sample of ctx.inputs.features) {
      if (sample.category !== 'train' || sample.label === null) continue;
      let entry = sums.get(sample.label);
      if (!entry) sums.set(sample.label, (entry = { sum: new Float64Array(sample.values.length), count: 0 }));
      if (entry.sum.length !== sample.values.length) throw new Error(`sample ${sample.id} has ${sample.values.length} features, expected ${entry.sum.length}`);
      for (let i = 0; i < sample.values.length; i++) entry.sum[i]! += sample.values[i]!;
      entry.count++;
    }
    const labels = [...sums.keys()].sort();
    const centroids: Record<string, number[]> = {};
    for (const label of labels) {
      const { sum, count } = sums.get(label)!;
      if (count < ctx.params.minSamplesPerLabel) throw new Error(`label ${label} has ${count} training samples, fewer than ${ctx.params.minSamplesPerLabel}`);
      centroids[label] = Array.from(sum, (v) => v / count);
    }
    ctx.log.info(`${labels.length} labels`);
    await ctx.outputs.model.writeJson('centroids.json', centroids);
    ctx.outputs.model.setMeta({ labels, type: 'nearest-centroid' });
  },
});

export default block;

// Typed pipelines: with this package's types loaded, `block: 'centroid@1'` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'centroid@1': BlockParamsInput<typeof block>;
  }
}
