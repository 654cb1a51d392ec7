import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPluginPackages } from '../plan/plugin-packages.js';
import { SUPPORTED_TARGET_API_VERSIONS, TinyforgeError, checkTargetDeclaration, type AnyTarget } from '@tinyforge/sdk';

export const TARGET_PACKAGE_KEYWORD = 'tinyforge-target';
const TARGET_PACKAGE_PREFIX = 'tinyforge-target-';

/** A deploy target an installed package lists, known without importing its code. */
export interface TargetEntry {
  id: string;
  version: string;
  description: string;
  moduleUrl: string;
  /** `package@version` that provides it. */
  source: string;
}

interface TargetPackageJson {
  name?: string;
  version?: string;
  keywords?: string[];
  tinyforge?: { targets?: { id: string; version: string; description?: string; module: string }[] };
}

/**
 * Installed target plugins: packages named `tinyforge-target-*` or `@scope/tinyforge-target-*`
 * carrying the `tinyforge-target` keyword, in every `node_modules` from `fromDir` up (nearest
 * first). Each lists its targets in package.json (`tinyforge.targets`), so listing imports no code.
 */
export function discoverTargetPlugins(fromDir: string): TargetEntry[] {
  const entries: TargetEntry[] = [];
  for (const { dir, pkg } of findPluginPackages<TargetPackageJson>(fromDir, TARGET_PACKAGE_PREFIX, TARGET_PACKAGE_KEYWORD)) {
    const listed = pkg.tinyforge?.targets;
    if (!Array.isArray(listed) || listed.length === 0) {
      throw new TinyforgeError({ code: 'PLUGIN', file: join(dir, 'package.json'), message: `${pkg.name} has the "${TARGET_PACKAGE_KEYWORD}" keyword but lists no targets`, hint: 'add "tinyforge": { "targets": [{ "id", "version", "module" }] }' });
    }
    for (const t of listed) {
      entries.push({ id: t.id, version: t.version, description: t.description ?? '', moduleUrl: pathToFileURL(resolve(dir, t.module)).href, source: `${pkg.name}@${pkg.version ?? '?'}` });
    }
  }
  return entries;
}

/** Two packages claiming one target id and version is an error naming both. */
export function checkDuplicateTargets(entries: readonly TargetEntry[]): void {
  const byKey = new Map<string, TargetEntry>();
  for (const entry of entries) {
    const key = `${entry.id}@${entry.version}`;
    const other = byKey.get(key);
    if (other && other.source !== entry.source) {
      throw new TinyforgeError({ code: 'PLUGIN', message: `target ${key} is provided by two packages: ${other.source} and ${entry.source}`, hint: 'uninstall one of them' });
    }
    byKey.set(key, entry);
  }
}

/** Imports a listed target and checks it is what the listing promised, for an API this runner speaks. */
export async function loadTarget(entry: TargetEntry): Promise<AnyTarget> {
  let mod: { default?: AnyTarget };
  try {
    mod = (await import(entry.moduleUrl)) as { default?: AnyTarget };
  } catch (error) {
    throw new TinyforgeError({ code: 'PLUGIN', message: `${entry.source}: cannot load target ${entry.id}: ${(error as Error).message.split('\n')[0]}`, cause: error });
  }
  const target = mod.default;
  if (!target) throw new TinyforgeError({ code: 'PLUGIN', message: `${entry.source}: ${entry.moduleUrl} has no default export; export default defineTarget({...})` });
  checkLoadedTarget(target, entry.source);
  if (target.id !== entry.id || target.version !== entry.version) {
    throw new TinyforgeError({ code: 'PLUGIN', message: `${entry.source}: ${entry.moduleUrl} exports target ${target.id}@${target.version}, but is listed as ${entry.id}@${entry.version}` });
  }
  return target;
}

export function checkLoadedTarget(target: AnyTarget, source: string): void {
  const problems = checkTargetDeclaration(target);
  if (problems.length > 0) throw new TinyforgeError({ code: 'PLUGIN', message: `${source}: invalid target "${String(target.id)}": ${problems.join('; ')}` });
  if (!SUPPORTED_TARGET_API_VERSIONS.includes(target.apiVersion)) {
    throw new TinyforgeError({
      code: 'PLUGIN',
      message: `${source}: target ${target.id}@${target.version} was written for target API ${target.apiVersion}, but this runner supports API ${SUPPORTED_TARGET_API_VERSIONS.join(', ')}`,
      hint: target.apiVersion > Math.max(...SUPPORTED_TARGET_API_VERSIONS) ? 'upgrade @tinyforge/runner' : 'upgrade the plugin',
    });
  }
}
