import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArtifactStore } from '../artifacts/artifact-store.js';
import { resolveRemoteConfig } from '../remote/config.js';
import type { RemoteCache, RemoteCacheOptions } from '../remote/remote-cache.js';
import { ActionCache } from './action-cache.js';
import { ContentStore } from './cas.js';
import { storeLayout, type StoreLayout } from './layout.js';
import { LockManager } from './lock.js';
import { UnitIndex } from './unit-index.js';

export interface Store {
  layout: StoreLayout;
  cas: ContentStore;
  artifacts: ArtifactStore;
  actionCache: ActionCache;
  units: UnitIndex;
  locks: LockManager;
  /** The remote cache layered under `cas` and `actionCache`, when one is configured. */
  remote?: RemoteCache;
}

export interface OpenStoreOptions {
  /**
   * Layer the configured remote cache (env or `tinyforge.config.json`) under the store. Off by
   * default: only runs use it; `status`, `cache` and other readers stay local and cheap.
   * An object passes client options (tests: warnings sink, retries).
   */
  remote?: boolean | RemoteCacheOptions;
  /** Where to look for `tinyforge.config.json` (at or above); default: the folder holding `.tinyforge`. */
  projectDir?: string;
}

/**
 * Where `.tinyforge` lives for a pipeline: `$TINYFORGE_HOME` if set, else the nearest folder
 * above the pipeline holding `.git`, `nx.json` or a workspaces `package.json`, else the
 * pipeline's own folder. One store per project lets pipelines share cached work.
 */
export function findStateRoot(pipelineDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.TINYFORGE_HOME) return resolve(env.TINYFORGE_HOME);
  let dir = resolve(pipelineDir);
  for (;;) {
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, 'nx.json')) || isWorkspaceRoot(dir)) return join(dir, '.tinyforge');
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(pipelineDir), '.tinyforge');
    dir = parent;
  }
}

function isWorkspaceRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object);
  } catch {
    return false;
  }
}

export async function openStore(root: string, env: NodeJS.ProcessEnv = process.env, opts: OpenStoreOptions = {}): Promise<Store> {
  const layout = storeLayout(root, env.TINYFORGE_CACHE_DIR ? resolve(env.TINYFORGE_CACHE_DIR) : undefined);
  await mkdir(layout.cacheDir, { recursive: true });
  const cas = new ContentStore(layout.casDir);
  const configDir = opts.projectDir ?? (basename(root) === '.tinyforge' ? dirname(root) : undefined);
  const remoteConfig = opts.remote ? resolveRemoteConfig(env, configDir) : undefined;
  // The remote client loads only when a remote is configured: local runs keep a short start-up.
  let remote: RemoteCache | undefined;
  if (remoteConfig) {
    const [{ RemoteCache: Client }, { serveBlobRequests }] = await Promise.all([import('../remote/remote-cache.js'), import('../remote/blob-channel.js')]);
    const client = await new Client(remoteConfig, cas, typeof opts.remote === 'object' ? opts.remote : {}).open();
    serveBlobRequests(cas.dir, (digest) => client.fetchInto(digest));
    remote = client;
  }
  cas.remote = remote;
  return {
    layout,
    cas,
    artifacts: new ArtifactStore(cas),
    actionCache: new ActionCache(layout.acDir, remote),
    units: remote ? remote.unitIndex(layout.unitsDir) : new UnitIndex(layout.unitsDir),
    locks: new LockManager(layout.locksDir),
    ...(remote ? { remote } : {}),
  };
}
