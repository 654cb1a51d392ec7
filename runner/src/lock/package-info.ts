import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
  /** From the project's npm lockfile; absent for workspace links and unlocked installs. */
  integrity?: string;
}

interface NpmLock {
  packages?: Record<string, { version?: string; integrity?: string; link?: boolean }>;
}

/**
 * The npm package a block module belongs to (nearest package.json with a name above it),
 * with its integrity from the nearest package-lock.json (or node_modules/.package-lock.json).
 */
export class PackageResolver {
  private readonly byDir = new Map<string, PackageInfo | undefined>();
  private lock: NpmLock | undefined | null = null;

  constructor(private readonly projectDir: string) {}

  forModule(moduleUrl: string): PackageInfo | undefined {
    if (!moduleUrl.startsWith('file:')) return undefined;
    let dir = dirname(fileURLToPath(moduleUrl));
    for (;;) {
      if (this.byDir.has(dir)) return this.byDir.get(dir);
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const info = this.describe(file);
        if (info) {
          this.byDir.set(dir, info);
          return info;
        }
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  private describe(packageJson: string): PackageInfo | undefined {
    let pkg: { name?: string; version?: string };
    try {
      pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as typeof pkg;
    } catch {
      return undefined;
    }
    if (!pkg.name) return undefined;
    const locked = this.npmLock()?.packages?.[`node_modules/${pkg.name}`];
    return { name: pkg.name, version: pkg.version ?? '0.0.0', ...(locked?.integrity ? { integrity: locked.integrity } : {}) };
  }

  private npmLock(): NpmLock | undefined {
    if (this.lock !== null) return this.lock;
    this.lock = undefined;
    let dir = this.projectDir;
    for (;;) {
      for (const name of ['package-lock.json', 'node_modules/.package-lock.json']) {
        const file = join(dir, name);
        if (!existsSync(file)) continue;
        try {
          this.lock = JSON.parse(readFileSync(file, 'utf8')) as NpmLock;
          return this.lock;
        } catch {
          // unreadable lockfile: no integrities, not an error
        }
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}
