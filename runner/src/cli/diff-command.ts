import { resolve } from 'node:path';
import { isSampleSetManifest } from '../artifacts/manifest.js';
import { findStateRoot, openStore } from '../store/open-store.js';
import { diffRuns, formatRunDiff, type RunLookups } from '../provenance/run-diff.js';
import { loadRun } from '../provenance/load-run.js';
import type { Store } from '../store/open-store.js';

export interface DiffCommandOptions {
  json?: boolean;
  dir?: string;
  pipeline?: string;
}

/** `tinyforge diff <runA> <runB>`: what changed between two runs, and why (key records, metrics). */
export async function diffCommand(refA: string, refB: string, options: DiffCommandOptions): Promise<number> {
  const store = await openStore(findStateRoot(resolve(options.dir ?? '.')));
  const [a, b] = await Promise.all([loadRun(refA, store.layout.runsDir, options.pipeline), loadRun(refB, store.layout.runsDir, options.pipeline)]);
  const diff = await diffRuns(a.manifest, b.manifest, storeLookups(store));
  if (options.json) process.stdout.write(`${JSON.stringify({ before: a.id, after: b.id, ...diff }, null, 2)}\n`);
  else process.stdout.write(formatRunDiff(diff, { before: label(a.id, a.manifest), after: label(b.id, b.manifest) }));
  return 0;
}

function label(id: string, m: { git?: { commit: string | null; dirty: boolean } }): string {
  const commit = m.git?.commit ? ` @${m.git.commit.slice(0, 8)}${m.git.dirty ? '+dirty' : ''}` : '';
  return `${id}${commit}`;
}

function storeLookups(store: Store): RunLookups {
  return {
    keyRecord: async (key) => (await store.actionCache.getLocal(key))?.keyRecord,
    metrics: async (digest) => {
      try {
        const manifest = await store.artifacts.getManifest(digest);
        if (isSampleSetManifest(manifest)) return undefined;
        const file = manifest.files.find((f) => f.name === 'metrics.json');
        return file ? (JSON.parse((await store.cas.get(file.digest)).toString('utf8')) as unknown) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
