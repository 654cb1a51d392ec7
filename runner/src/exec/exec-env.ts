import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { ActionCache } from '../store/action-cache.js';
import type { ContentStore } from '../store/cas.js';
import type { StoreLayout } from '../store/layout.js';
import type { LockManager } from '../store/lock.js';
import type { StatCache } from '../store/stat-cache.js';
import type { UnitIndex } from '../store/unit-index.js';
import type { SamplePool } from './sample-pool.js';

export type BlockEvent =
  | { type: 'start'; block: string }
  | { type: 'progress'; block: string; done: number; total?: number; note?: string }
  | { type: 'log'; block: string; level: 'info' | 'warn' | 'debug'; message: string };

/** Everything block execution needs from the outside world, passed in (no globals). */
export interface ExecEnv {
  layout: StoreLayout;
  cas: ContentStore;
  artifacts: ArtifactStore;
  actionCache: ActionCache;
  units: UnitIndex;
  locks: LockManager;
  statCache: StatCache;
  pool: SamplePool;
  pipelineDir: string;
  /** Declared env values that enter every key. */
  env: Record<string, string>;
  /** `true`: re-execute every block; a set: re-execute those blocks only. */
  force: boolean | ReadonlySet<string>;
  /** Deep-check cache hits (every blob present), used after an integrity error. */
  verify: boolean;
  signal: AbortSignal;
  onEvent: (event: BlockEvent) => void;
  /** Minimum number of units that makes a worker pool worth starting. */
  poolThreshold: number;
}

export function isForced(env: ExecEnv, blockName: string): boolean {
  return env.force === true || (env.force !== false && env.force.has(blockName));
}
