import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TinyforgeError, type BlockKind } from '@tinyforge/sdk';
import type { CatalogEntry } from './block-catalog.js';
import { findPluginPackages } from './plugin-packages.js';

export const BLOCK_PACKAGE_KEYWORD = 'tinyforge-block';

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
  for (const { dir, pkg } of findPluginPackages<PluginPackageJson>(fromDir, 'tinyforge-block-', BLOCK_PACKAGE_KEYWORD)) {
    const listed = pkg.tinyforge?.blocks;
    if (!Array.isArray(listed) || listed.length === 0) {
      throw new TinyforgeError({ code: 'PLUGIN', file: join(dir, 'package.json'), message: `${pkg.name} has the "${BLOCK_PACKAGE_KEYWORD}" keyword but lists no blocks`, hint: 'add "tinyforge": { "blocks": [{ "id", "version", "kind", "module" }] }' });
    }
    for (const b of listed) {
      entries.push({
        id: b.id,
        version: b.version,
        kind: b.kind,
        description: b.description ?? '',
        moduleUrl: pathToFileURL(resolve(dir, b.module)).href,
        source: `${pkg.name}@${pkg.version ?? '?'}`,
      });
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
