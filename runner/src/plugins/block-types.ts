import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { majorOf } from '@tinyforge/sdk';
import { compareSemver } from '../plan/block-catalog.js';

interface ListedBlock {
  id: string;
  version: string;
  moduleUrl: string;
}

/**
 * Source of a module that adds listed blocks to `BlockRegistry` (typed pipeline params):
 * one `'<id>@<major>'` entry per block, typed by the zod schema of the module's default export.
 * `rootDir` is the folder the module will live in; module paths are made relative to it.
 */
export function blockRegistrySource(blocks: readonly ListedBlock[], rootDir: string, header: string): string {
  const newest = new Map<string, ListedBlock>();
  for (const b of [...blocks].sort((x, y) => compareSemver(x.version, y.version))) newest.set(`${b.id}@${majorOf(b.version)}`, b);
  const lines = [...newest]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ref, b]) => {
      let rel = relative(rootDir, fileURLToPath(b.moduleUrl)).split('\\').join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `    '${ref}': BlockParamsInput<(typeof import('${rel}'))['default']>;`;
    });
  return [
    `// ${header}`,
    "import type { BlockParamsInput } from '@tinyforge/sdk';",
    '',
    "declare module '@tinyforge/sdk' {",
    '  interface BlockRegistry {',
    ...lines,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The built-in blocks' registry augmentation, as committed in blocks/src/block-types.ts. */
export async function builtinBlockTypesSource(): Promise<string> {
  const { builtinBlocks } = await import('@tinyforge/blocks');
  const distRoot = dirname(fileURLToPath(import.meta.resolve('@tinyforge/blocks')));
  return blockRegistrySource(builtinBlocks, distRoot, 'Generated from src/registry.ts by runner/src/plugins/block-types.ts (the test there checks it is current; TINYFORGE_UPDATE_TYPES=1 rewrites it). Do not edit.');
}
