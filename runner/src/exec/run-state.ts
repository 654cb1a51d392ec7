import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';

/** The last run of one block of one pipeline: what `status` compares against. */
export interface BlockState {
  actionKey: string;
  keyRecord: JsonObject;
  outputs: Record<string, string>;
  finishedAt: string;
  /** Ingest blocks: relPath → digest of every source file, kept in a side file (it can be large). */
  sources?: Record<string, string>;
}

export function statePath(stateDir: string, pipeline: string, block: string): string {
  return join(stateDir, pipeline, `${block}.json`);
}

const sourcesPath = (stateDir: string, pipeline: string, block: string) => join(stateDir, pipeline, `${block}.sources.json`);

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function readBlockState(stateDir: string, pipeline: string, block: string): Promise<BlockState | undefined> {
  const state = await readJson<BlockState>(statePath(stateDir, pipeline, block));
  if (!state) return undefined;
  const sources = await readJson<{ actionKey: string; sources: Record<string, string> }>(sourcesPath(stateDir, pipeline, block));
  if (sources && sources.actionKey === state.actionKey) state.sources = sources.sources;
  return state;
}

/** Records a block's run. The (large) source list is rewritten only when the action changed. */
export async function writeBlockState(stateDir: string, pipeline: string, block: string, state: BlockState): Promise<void> {
  const { sources, ...small } = state;
  const path = statePath(stateDir, pipeline, block);
  const previous = await readJson<BlockState>(path);
  if (sources && previous?.actionKey !== state.actionKey) {
    await atomicWrite(sourcesPath(stateDir, pipeline, block), JSON.stringify({ actionKey: state.actionKey, sources }), { fsync: false });
  }
  await atomicWrite(path, JSON.stringify(small), { fsync: false });
}
