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
  sources?: Record<string, string>;
}

export function statePath(stateDir: string, pipeline: string, block: string): string {
  return join(stateDir, pipeline, `${block}.json`);
}

export async function readBlockState(stateDir: string, pipeline: string, block: string): Promise<BlockState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(stateDir, pipeline, block), 'utf8')) as BlockState;
  } catch {
    return undefined;
  }
}

export async function writeBlockState(stateDir: string, pipeline: string, block: string, state: BlockState): Promise<void> {
  await atomicWrite(statePath(stateDir, pipeline, block), JSON.stringify(state), { fsync: false });
}
