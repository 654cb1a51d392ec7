import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TinyforgeError, type AnyBlock } from '@tinyforge/sdk';
import type { ResolvedBlock } from './block-catalog.js';

const MODULE_NAMES = ['index.mjs', 'index.js', 'index.ts', 'block.mjs', 'block.js', 'block.ts'];

/**
 * A block referenced by path in a pipeline (`block: './blocks/denoise'`): a module whose default
 * export is a block, or a folder holding one. A folder with Edge Impulse's `parameters.json` is
 * a container block (see runner/src/docker).
 */
export async function loadLocalBlock(path: string, file: string, name: string): Promise<ResolvedBlock> {
  if (!existsSync(path)) throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', file, block: name, path: 'block', message: `no block at ${path}` });
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'parameters.json'))) {
      const { loadEdgeImpulseBlock } = await import('../docker/edge-impulse-block.js');
      return { block: await loadEdgeImpulseBlock(path), source: path };
    }
    const moduleFile = MODULE_NAMES.map((m) => join(path, m)).find((m) => existsSync(m));
    if (!moduleFile) throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', file, block: name, path: 'block', message: `${path} holds no block module (${MODULE_NAMES.join(', ')}) and no parameters.json` });
    return importBlockModule(moduleFile, file, name);
  }
  return importBlockModule(path, file, name);
}

async function importBlockModule(moduleFile: string, file: string, name: string): Promise<ResolvedBlock> {
  const isTs = ['.ts', '.mts'].includes(extname(moduleFile));
  let mod: { default?: AnyBlock };
  try {
    if (isTs) {
      const { createJiti } = await import('jiti');
      mod = { default: (await createJiti(import.meta.url, { interopDefault: true }).import(moduleFile, { default: true })) as AnyBlock };
    } else {
      mod = (await import(pathToFileURL(moduleFile).href)) as { default?: AnyBlock };
    }
  } catch (error) {
    throw new TinyforgeError({ code: 'PLUGIN', file: moduleFile, block: name, message: `cannot load block: ${(error as Error).message.split('\n')[0]}`, cause: error });
  }
  if (!mod.default) throw new TinyforgeError({ code: 'PLUGIN', file: moduleFile, block: name, message: 'the module has no default export; export default defineBlock({...})' });
  // JavaScript modules can be imported by worker threads; TypeScript ones run in-process.
  return isTs ? { block: mod.default, source: moduleFile } : { block: mod.default, moduleUrl: pathToFileURL(moduleFile).href, source: moduleFile };
}
