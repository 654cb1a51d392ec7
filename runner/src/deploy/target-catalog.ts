import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { TinyforgeError, majorOf, type AnyTarget } from '@tinyforge/sdk';
import { checkDuplicateTargets, discoverTargetPlugins, loadTarget, type TargetEntry } from '../plugins/discover-targets.js';
import { compareSemver } from '../plan/block-catalog.js';

/** Targets that ship with tinyforge, listed without importing them. */
function builtinTargets(): TargetEntry[] {
  const require = createRequire(import.meta.url);
  return [
    {
      id: 'cpp',
      version: '1.1.0',
      description: 'Interpreter-free C++11 library (int8 bit-exact, static arena, EI-style API) + Cortex-M estimates',
      moduleUrl: pathToFileURL(require.resolve('@tinyforge/target-cpp')).href,
      source: '@tinyforge/target-cpp',
    },
  ];
}

/** Built-in targets plus `tinyforge-target-*` packages installed around `dir`. */
export function targetCatalog(dir: string): TargetEntry[] {
  const entries = [...builtinTargets(), ...discoverTargetPlugins(dir)];
  checkDuplicateTargets(entries);
  return entries;
}

/** `cpp` or `cpp@1`: the highest matching version. */
export async function resolveTarget(ref: string, entries: readonly TargetEntry[], where: { file: string; name: string }): Promise<{ target: AnyTarget; entry: TargetEntry }> {
  const [id, major] = ref.split('@') as [string, string | undefined];
  const entry = entries
    .filter((e) => e.id === id && (major === undefined || majorOf(e.version) === Number(major)))
    .sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!entry) {
    throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', file: where.file, path: `deploy.${where.name}.target`, message: `unknown target "${ref}"`, expected: [...new Set(entries.map((e) => e.id))].join(', ') || 'an installed target', hint: 'tinyforge targets list' });
  }
  return { target: await loadTarget(entry), entry };
}
