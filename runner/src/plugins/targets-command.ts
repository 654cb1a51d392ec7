import { TinyforgeError } from '@tinyforge/sdk';
import { z } from 'zod';
import { compareSemver } from '../plan/block-catalog.js';
import { checkDuplicateTargets, discoverTargetPlugins, loadTarget } from './discover-targets.js';

/** `tinyforge targets list`: installed deploy targets, from package.json listings only. */
export async function targetsListCommand(options: { json?: boolean }): Promise<number> {
  const entries = discoverTargetPlugins(process.cwd());
  checkDuplicateTargets(entries);
  const rows = [...entries].sort((a, b) => a.id.localeCompare(b.id) || compareSemver(a.version, b.version));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows.map(({ id, version, description, source }) => ({ id, version, description, source })), null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) process.stdout.write('no targets installed (packages named tinyforge-target-* with the "tinyforge-target" keyword)\n');
  const width = Math.max(4, ...rows.map((r) => `${r.id}@${r.version}`.length));
  for (const r of rows) process.stdout.write(`${`${r.id}@${r.version}`.padEnd(width)}  ${r.source.padEnd(24)}  ${r.description}\n`);
  return 0;
}

/** `tinyforge targets info <id>`: imports the target and prints its params schema. */
export async function targetsInfoCommand(ref: string): Promise<number> {
  const entries = discoverTargetPlugins(process.cwd());
  checkDuplicateTargets(entries);
  const [id, major] = (/^(.+)@(\d+)$/.exec(ref)?.slice(1) ?? [ref, undefined]) as [string, string | undefined];
  const entry = entries.filter((e) => e.id === id && (major === undefined || e.version.split('.')[0] === major)).sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!entry) throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', message: `unknown target "${ref}"`, hint: 'tinyforge targets list shows the installed targets' });
  const target = await loadTarget(entry);
  const info = { id: target.id, version: target.version, apiVersion: target.apiVersion, source: entry.source, description: target.description ?? entry.description, params: z.toJSONSchema(target.params, { io: 'input', unrepresentable: 'any' }) };
  process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  return 0;
}
