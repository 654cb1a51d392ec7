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
      version: '1.7.0',
      description: 'Interpreter-free C++11 library (int8 bit-exact, static arena, EI-style API) + Cortex-M estimates',
      moduleUrl: pathToFileURL(require.resolve('@tinyforge/target-cpp')).href,
      source: '@tinyforge/target-cpp',
    },
    {
      id: 'wasm',
      version: '1.1.0',
      description: 'WebAssembly npm package: the C++ library built with clang (wasm32-wasi), ES module wrapper with TypeScript types',
      moduleUrl: pathToFileURL(require.resolve('@tinyforge/target-wasm')).href,
      source: '@tinyforge/target-wasm',
    },
    {
      id: 'cmsis-pack',
      version: '1.0.0',
      description: 'Open-CMSIS-Pack: the C++ library as components in a .pdsc, zipped as <Vendor>.<Name>.<version>.pack',
      moduleUrl: pathToFileURL(require.resolve('@tinyforge/target-cmsis-pack')).href,
      source: '@tinyforge/target-cmsis-pack',
    },
    {
      id: 'arduino',
      version: '1.0.0',
      description: 'Arduino library (spec 1.5): the C++ library under src/, static-buffer and sensor examples, zipped for the IDE',
      moduleUrl: pathToFileURL(require.resolve('@tinyforge/target-arduino')).href,
      source: '@tinyforge/target-arduino',
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
