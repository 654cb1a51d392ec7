import { z } from 'zod';
import { TinyforgeError } from '@tinyforge/sdk';
import { catalogFor } from '../plan/catalog-for.js';
import { compareSemver } from '../plan/block-catalog.js';

export async function blocksListCommand(options: { json?: boolean }): Promise<number> {
  const catalog = catalogFor(process.cwd());
  const rows = [...catalog.entries].sort((a, b) => a.id.localeCompare(b.id) || compareSemver(a.version, b.version));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows.map(({ id, version, kind, description, source }) => ({ id, version, kind, description, source })), null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(4, ...rows.map((r) => `${r.id}@${r.version}`.length));
  for (const r of rows) process.stdout.write(`${`${r.id}@${r.version}`.padEnd(idWidth)}  ${r.kind.padEnd(9)}  ${r.source.padEnd(20)}  ${r.description}\n`);
  return 0;
}

/** `blocks info <id>[@major]`: params JSON Schema and the input/output artifact kinds. */
export async function blocksInfoCommand(ref: string): Promise<number> {
  const catalog = catalogFor(process.cwd());
  const [id, major] = (/^(.+)@(\d+)$/.exec(ref)?.slice(1) ?? [ref, undefined]) as [string, string | undefined]; // scoped ids: @acme/x@1
  const candidates = catalog.entries.filter((e) => e.id === id && (major === undefined || e.version.split('.')[0] === major));
  const entry = candidates.sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!entry) {
    const hint = catalog.suggest(id);
    throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', message: `unknown block "${ref}"`, hint: hint.length ? `did you mean ${hint.join(', ')}?` : 'tinyforge blocks list shows the installed blocks' });
  }
  const block = await catalog.load(entry);
  const info = {
    id: block.id,
    version: block.version,
    apiVersion: block.apiVersion,
    kind: block.kind,
    granularity: block.granularity,
    source: entry.source,
    description: block.description ?? entry.description,
    inputs: block.inputs,
    outputs: block.outputs,
    params: z.toJSONSchema(block.params, { io: 'input', unrepresentable: 'any' }),
  };
  process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  return 0;
}
