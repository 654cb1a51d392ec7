import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A package found in some node_modules, with its parsed package.json. */
export interface FoundPackage<P> {
  dir: string;
  pkg: P & { name: string; version?: string; keywords?: string[] };
}

/**
 * Plugin packages named `<prefix>*` or `@scope/<prefix>*` that carry `keyword`, in every
 * `node_modules` from `fromDir` up (nearest first; a name seen nearer wins), as Node resolves them.
 */
export function findPluginPackages<P>(fromDir: string, prefix: string, keyword: string): FoundPackage<P>[] {
  const namePattern = new RegExp(`^(@[^/]+/)?${prefix.replace(/[-]/g, '\\-')}[a-z0-9._-]+$`);
  const found: FoundPackage<P>[] = [];
  const seen = new Set<string>();
  for (const modulesDir of nodeModulesChain(fromDir)) {
    for (const dir of packagesWithPrefix(modulesDir, prefix)) {
      const pkg = readJson(join(dir, 'package.json')) as FoundPackage<P>['pkg'] | undefined;
      if (!pkg?.name || !namePattern.test(pkg.name) || seen.has(pkg.name)) continue;
      if (!pkg.keywords?.includes(keyword)) continue;
      seen.add(pkg.name);
      found.push({ dir, pkg });
    }
  }
  return found;
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

function packagesWithPrefix(modulesDir: string, prefix: string): string[] {
  const out: string[] = [];
  for (const name of safeReaddir(modulesDir)) {
    if (name.startsWith(prefix)) out.push(join(modulesDir, name));
    else if (name.startsWith('@')) for (const sub of safeReaddir(join(modulesDir, name))) if (sub.startsWith(prefix)) out.push(join(modulesDir, name, sub));
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
