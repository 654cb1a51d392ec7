import { resolve } from 'node:path';
import { findStateRoot, openStore } from '../store/open-store.js';
import { cacheStats, collectGarbage } from '../store/cache-gc.js';

export async function cacheInfoCommand(dir: string, options: { json?: boolean }): Promise<number> {
  const store = await openStore(findStateRoot(resolve(dir)));
  const stats = await cacheStats(store);
  if (options.json) process.stdout.write(`${JSON.stringify({ root: store.layout.root, ...stats }, null, 2)}\n`);
  else {
    process.stdout.write(
      `cache: ${store.layout.cacheDir}\n  blobs: ${stats.blobs} (${(stats.blobBytes / 1048576).toFixed(1)} MiB)\n  action results: ${stats.actions}\n  per-sample indexes: ${stats.unitIndexes}\n  run manifests: ${stats.runs}\n`,
    );
  }
  return 0;
}

export async function cacheGcCommand(dir: string, options: { json?: boolean }): Promise<number> {
  const store = await openStore(findStateRoot(resolve(dir)));
  const result = await collectGarbage(store);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`removed ${result.removedBlobs} blobs (${(result.freedBytes / 1048576).toFixed(1)} MiB), ${result.removedActions} action results, ${result.removedIndexes} per-sample indexes\n`);
  return 0;
}
