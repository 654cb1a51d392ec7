import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  symbol: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('model_data').describe('C identifier prefix of the arrays'),
});

/** The bytes as a C array, 12 a line. */
export function cArray(name: string, bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) lines.push('  ' + Array.from(bytes.subarray(i, i + 12), (b) => '0x' + b.toString(16).padStart(2, '0')).join(', ') + ',');
  return `const unsigned char ${name}[${bytes.length}] = {\n${lines.join('\n')}\n};\nconst unsigned int ${name}_len = ${bytes.length};\n`;
}

/** Writes the model files as C arrays in a header (model → bundle, whole artifact). */
const block = defineBlock({
  id: 'carray',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'deploy',
  description: 'Writes the model files as C arrays in a header',
  params,
  inputs: { model: 'model' },
  outputs: { bundle: 'bundle' },
  granularity: 'whole',
  async run(ctx) {
    let header = '#pragma once\n';
    for (const file of ctx.inputs.model.files) {
      const name = `${ctx.params.symbol}_${file.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      header += cArray(name, await ctx.inputs.model.readFile(file.name));
    }
    await ctx.outputs.bundle.writeFile(`${ctx.params.symbol}.h`, header);
    ctx.outputs.bundle.setMeta({ files: ctx.inputs.model.files.length });
  },
});

export default block;

// Typed pipelines: with this package's types loaded, `block: 'carray@1'` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'carray@1': BlockParamsInput<typeof block>;
  }
}
