import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TinyforgeError, type BlockKind } from '@tinyforge/sdk';
import type { CatalogEntry } from './block-catalog.js';

export const BLOCK_PACKAGE_KEYWORD = 'tinyforge-block';
const BLOCK_PACKAGE_NAME = /^(@[^/]+\/)?tinyforge-block-[a-z0-9._-]+$/;

interface PluginPackageJson {
  name?: string;
  version?: string;
  keywords?: string[];
  tinyforge?: { blocks?: { id: string; version: string; kind: BlockKind; description?: string; module: string }[] };
}

/**
 * Installed block plugins: packages named `tinyforge-block-*` or `@scope/tinyforge-block-*`
 * carrying the keyword, found in every `node_modules` from `fromDir` up. Each lists its blocks
 * in package.json (`tinyforge.blocks`), so listing them imports no code.
 */
export function discoverBlockPlugins(fromDir: string): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  const seenPackages = new Set<string>();
  for (const modulesDir of nodeModulesChain(fromDir)) {
    for (const pkgDir of candidatePackages(modulesDir)) {
      const pkg = readPackageJson(pkgDir);
      if (!pkg?.name || !BLOCK_PACKAGE_NAME.test(pkg.name) || seenPackages.has(pkg.name)) continue;
      if (!pkg.keywords?.includes(BLOCK_PACKAGE_KEYWORD)) continue;
      seenPackages.add(pkg.name);
      const listed = pkg.tinyforge?.blocks;
      if (!Array.isArray(listed) || listed.length === 0) {
        throw new TinyforgeError({ code: 'PLUGIN', file: join(pkgDir, 'package.json'), message: `${pkg.name} has the "${BLOCK_PACKAGE_KEYWORD}" keyword but lists no blocks`, hint: 'add "tinyforge": { "blocks": [{ "id", "version", "kind", "module" }] }' });
      }
      for (const b of listed) {
        entries.push({
          id: b.id,
          version: b.version,
          kind: b.kind,
          description: b.description ?? '',
          moduleUrl: pathToFileURL(resolve(pkgDir, b.module)).href,
          source: `${pkg.name}@${pkg.version ?? '?'}`,
        });
      }
    }
  }
  return entries;
}

/** Two packages claiming one block id and version is an error naming both. */
export function checkDuplicateBlocks(entries: readonly CatalogEntry[]): void {
  const byKey = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    const key = `${entry.id}@${entry.version}`;
    const other = byKey.get(key);
    if (other && other.source !== entry.source) {
      throw new TinyforgeError({ code: 'PLUGIN', message: `block ${key} is provided by two packages: ${other.source} and ${entry.source}`, hint: 'uninstall one of them' });
    }
    byKey.set(key, entry);
  }
}

function nodeModulesChain(fromDir: string): string[] {
  const out: string[] = [];
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) out.push(candidate);
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

function candidatePackages(modulesDir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(modulesDir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.startsWith('tinyforge-block-')) out.push(join(modulesDir, name));
    else if (name.startsWith('@')) {
      try {
        for (const sub of readdirSync(join(modulesDir, name))) if (sub.startsWith('tinyforge-block-')) out.push(join(modulesDir, name, sub));
      } catch {
        // unreadable scope folder: nothing to discover there
      }
    }
  }
  return out;
}

function readPackageJson(dir: string): PluginPackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PluginPackageJson;
  } catch {
    return undefined;
  }
}
