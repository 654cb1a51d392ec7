import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';

/** `<block>.<param>…` → value, as in a tune space. */
export type ParamAssignments = Record<string, unknown>;

/**
 * Writes param values into a pipeline file, touching nothing else: TypeScript/JavaScript through
 * magicast (recast keeps untouched code byte for byte), YAML through its Document API (comments
 * kept), JSON re-serialized with the file's indentation.
 */
export async function applyParams(file: string, values: ParamAssignments): Promise<{ before: string; after: string }> {
  const before = await readFile(file, 'utf8');
  const ext = extname(file).toLowerCase();
  const paths = Object.entries(values).map(([k, v]) => {
    const [block, ...rest] = k.split('.');
    return { path: ['blocks', block!, 'params', ...rest], value: v };
  });
  let after: string;
  if (ext === '.json') {
    const indent = /^[ \t]+(?=")/m.exec(before)?.[0] ?? '  ';
    const data = JSON.parse(before) as Record<string, unknown>;
    for (const p of paths) setIn(data, p.path, p.value, file);
    after = `${JSON.stringify(data, null, indent)}\n`;
  } else if (ext === '.yaml' || ext === '.yml') {
    const { parseDocument } = await import('yaml');
    const doc = parseDocument(before);
    for (const p of paths) {
      if (!doc.hasIn(p.path.slice(0, 2))) throw noBlock(file, p.path[1]!);
      doc.setIn(p.path, p.value);
    }
    after = doc.toString();
  } else {
    const { parseModule, generateCode } = await import('magicast');
    const { getDefaultExportOptions } = await import('magicast/helpers');
    const mod = parseModule(before);
    const config = getDefaultExportOptions(mod) as Record<string, unknown>;
    for (const p of paths) setIn(config, p.path, p.value, file);
    after = generateCode(mod).code;
    if (before.endsWith('\n') && !after.endsWith('\n')) after += '\n';
  }
  await atomicWrite(file, after, { fsync: true });
  return { before, after };
}

function setIn(root: Record<string, unknown>, path: readonly string[], value: unknown, file: string): void {
  let cursor = root;
  path.slice(0, -1).forEach((key, i) => {
    let next = cursor[key] as Record<string, unknown> | undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      if (i <= 1) throw noBlock(file, path[1]!);
      cursor[key] = {};
      next = cursor[key] as Record<string, unknown>;
    }
    cursor = next;
  });
  // magicast proxies take plain values; a clone keeps the leaderboard's object out of the AST.
  cursor[path[path.length - 1]!] = value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

const noBlock = (file: string, block: string) => new TinyforgeError({ code: 'USAGE', file, message: `tune apply: the pipeline has no block "${block}"` });
