import { readFile, rm } from 'node:fs/promises';
import type { JsonObject } from '@tinyforge/sdk';
import type { RemoteCache } from '../remote/remote-cache.js';
import { atomicWrite } from '../util/atomic-write.js';
import { shardedPath } from './layout.js';

export const ACTION_RESULT_FORMAT = 1;

export interface ActionCounters {
  samplesComputed: number;
  samplesCached: number;
}

/** What the action cache remembers about one executed action. */
export interface ActionResult {
  format: typeof ACTION_RESULT_FORMAT;
  actionKey: string;
  /** The record the key was hashed from; `status` diffs it against the current one. */
  keyRecord: JsonObject;
  /** Output name → artifact manifest digest. */
  outputs: Record<string, string>;
  ms: number;
  finishedAt: string;
  counters: ActionCounters;
  /** Last lines the block logged, kept with the result. */
  logs: string[];
}

/**
 * Action key → result, one small fsynced JSON file each. A corrupt entry is a miss. With a
 * remote cache: a local miss asks the remote (which validates the entry and brings its blobs
 * into the local store first), and every result put is uploaded too.
 */
export class ActionCache {
  constructor(
    readonly dir: string,
    readonly remote?: RemoteCache,
  ) {}

  pathOf(actionKey: string): string {
    return shardedPath(this.dir, actionKey);
  }

  async get(actionKey: string): Promise<ActionResult | undefined> {
    const local = await this.getLocal(actionKey);
    if (local || !this.remote) return local;
    const fetched = await this.remote.fetchAction(actionKey);
    if (fetched) await atomicWrite(this.pathOf(actionKey), JSON.stringify(fetched), { fsync: true });
    return fetched;
  }

  async getLocal(actionKey: string): Promise<ActionResult | undefined> {
    let text: string;
    try {
      text = await readFile(this.pathOf(actionKey), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const result = JSON.parse(text) as ActionResult;
      if (result.format === ACTION_RESULT_FORMAT && result.actionKey === actionKey && result.outputs) return result;
    } catch {
      // fall through: unreadable entries are dropped, never trusted
    }
    await this.delete(actionKey);
    return undefined;
  }

  async put(result: ActionResult): Promise<void> {
    await this.remote?.noteOwed(result);
    await atomicWrite(this.pathOf(result.actionKey), JSON.stringify(result), { fsync: true });
    await this.remote?.publishAction(result);
  }

  async delete(actionKey: string): Promise<void> {
    await rm(this.pathOf(actionKey), { force: true });
  }
}
