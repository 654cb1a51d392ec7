import { join } from 'node:path';

/**
 * Where tinyforge keeps its state, under one root (`<project>/.tinyforge` by default):
 *   cache/cas/<aa>/<sha256>     content-addressed blobs (samples, manifests, model files)
 *   cache/ac/<aa>/<actionKey>    action results: output artifact digests + timings + logs
 *   cache/units/<baseKey>        per-sample results of one block config: unit key → output digests
 *   cache/locks/<key>.lock       per-action locks (pid-owned)
 *   stat-cache/<scope>.json      file digests keyed on path/size/mtime/inode
 *   state/<pipeline>/<block>.json  the key record of each block's last run (for `status`)
 *   runs/<timestamp>.json        run manifests
 */
export interface StoreLayout {
  root: string;
  cacheDir: string;
  casDir: string;
  acDir: string;
  unitsDir: string;
  locksDir: string;
  statCacheDir: string;
  stateDir: string;
  runsDir: string;
}

export function storeLayout(root: string, cacheDir = join(root, 'cache')): StoreLayout {
  return {
    root,
    cacheDir,
    casDir: join(cacheDir, 'cas'),
    acDir: join(cacheDir, 'ac'),
    unitsDir: join(cacheDir, 'units'),
    locksDir: join(cacheDir, 'locks'),
    statCacheDir: join(root, 'stat-cache'),
    stateDir: join(root, 'state'),
    runsDir: join(root, 'runs'),
  };
}

/** Two-level fan-out keeps directories small: `<dir>/<first two hex>/<digest>`. */
export function shardedPath(dir: string, digest: string): string {
  return join(dir, digest.slice(0, 2), digest);
}
