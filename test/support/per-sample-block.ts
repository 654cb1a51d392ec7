/** A local whole block declared `perSample`, standing in for a container DSP block in tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sum of each sample's values, one output per input; `mode` breaks the contract on purpose. */
export function writeSumBlock(dir: string): void {
  mkdirSync(join(dir, 'blocks'), { recursive: true });
  writeFileSync(
    join(dir, 'blocks/sum.mjs'),
    `import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
export default defineBlock({
  id: 'local/sum', version: '1.0.0', apiVersion: 1, kind: 'dsp',
  params: z.object({ mode: z.enum(['ok', 'drop', 'rename', 'twice']).default('ok'), scale: z.number().default(1) }),
  inputs: { samples: 'dataset' }, outputs: { features: 'features' }, granularity: 'whole', perSample: true,
  run: async (ctx) => {
    let n = 0;
    for await (const s of ctx.inputs.samples) {
      n++;
      if (ctx.params.mode === 'drop' && n === 1) continue;
      const sum = s.values.reduce((a, v) => a + v, 0) * ctx.params.scale;
      const out = { id: ctx.params.mode === 'rename' ? s.id + '-x' : s.id, label: s.label, category: s.category, sensors: [], intervalMs: 0, values: Float32Array.of(sum), shape: [1] };
      await ctx.outputs.features.add(out);
      if (ctx.params.mode === 'twice') await ctx.outputs.features.add(out);
    }
    ctx.log.info('computed ' + n + ' samples');
    ctx.outputs.features.setMeta({ shape: [1], note: 'set by run' });
  },
});
`,
  );
}

export function perSamplePipeline(params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'per-sample-whole',
    blocks: {
      ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } },
      sum: { block: './blocks/sum.mjs', params, inputs: { samples: 'ingest' } },
    },
  };
}
