import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject, SampleRef } from '@tinyforge/sdk';
import { isSampleSetManifest } from '../artifacts/manifest.js';
import { keyOf } from '../exec/action-key.js';
import type { BlockState } from '../exec/run-state.js';
import type { Store } from './open-store.js';

export interface CacheStats {
  blobs: number;
  blobBytes: number;
  actions: number;
  unitIndexes: number;
  runs: number;
}

export async function cacheStats(store: Store): Promise<CacheStats> {
  const blobs = await listSharded(store.layout.casDir);
  let blobBytes = 0;
  for (const b of blobs) blobBytes += (await stat(b.path)).size;
  return {
    blobs: blobs.length,
    blobBytes,
    actions: (await listSharded(store.layout.acDir)).length,
    unitIndexes: (await listSharded(store.layout.unitsDir)).length,
    runs: (await safeReaddir(store.layout.runsDir)).length,
  };
}

/**
 * Mark and sweep. Roots: the last run of every block of every pipeline (`state/`). Kept: their
 * action results, output manifests and every blob those name, and the per-sample indexes of
 * those block configs with the blobs they name. Everything else is deleted.
 */
export async function collectGarbage(store: Store): Promise<{ removedBlobs: number; removedActions: number; removedIndexes: number; freedBytes: number }> {
  const liveBlobs = new Set<string>();
  const liveActions = new Set<string>();
  const liveIndexes = new Set<string>();
  for (const pipeline of await safeReaddir(store.layout.stateDir)) {
    for (const file of await safeReaddir(join(store.layout.stateDir, pipeline))) {
      if (file.endsWith('.sources.json')) continue; // side files of ingest states, not states
      let state: BlockState;
      try {
        state = JSON.parse(await readFile(join(store.layout.stateDir, pipeline, file), 'utf8')) as BlockState;
      } catch {
        continue;
      }
      if (!state.keyRecord || !state.outputs) continue;
      liveActions.add(state.actionKey);
      const { inputs: _inputs, ...base } = state.keyRecord as JsonObject & { inputs?: unknown };
      const baseKey = keyOf(base as JsonObject);
      liveIndexes.add(baseKey);
      for (const refs of Object.values(await store.units.load(baseKey)) as SampleRef[][]) for (const ref of refs) liveBlobs.add(ref.digest);
      for (const digest of Object.values(state.outputs)) {
        liveBlobs.add(digest);
        try {
          const manifest = await store.artifacts.getManifest(digest);
          for (const d of isSampleSetManifest(manifest) ? manifest.samples.map((s) => s.digest) : manifest.files.map((f) => f.digest)) liveBlobs.add(d);
        } catch {
          // a missing or corrupt manifest: nothing under it to keep
        }
      }
    }
  }
  let freedBytes = 0;
  let removedBlobs = 0;
  for (const blob of await listSharded(store.layout.casDir)) {
    if (liveBlobs.has(blob.name)) continue;
    freedBytes += (await stat(blob.path)).size;
    await rm(blob.path, { force: true });
    removedBlobs++;
  }
  let removedActions = 0;
  for (const entry of await listSharded(store.layout.acDir)) {
    if (liveActions.has(entry.name)) continue;
    await rm(entry.path, { force: true });
    removedActions++;
  }
  let removedIndexes = 0;
  for (const entry of await listSharded(store.layout.unitsDir)) {
    if (liveIndexes.has(entry.name.replace(/\.json$/, ''))) continue;
    await rm(entry.path, { force: true });
    removedIndexes++;
  }
  return { removedBlobs, removedActions, removedIndexes, freedBytes };
}

async function listSharded(dir: string): Promise<{ name: string; path: string }[]> {
  const out: { name: string; path: string }[] = [];
  for (const shard of await safeReaddir(dir)) {
    for (const name of await safeReaddir(join(dir, shard))) {
      if (name.includes('.tmp-')) continue; // in-flight writes of a running process
      out.push({ name, path: join(dir, shard, name) });
    }
  }
  return out;
}

async function safeReaddir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
