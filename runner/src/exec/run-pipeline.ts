import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TinyforgeError, isTinyforgeError } from '@tinyforge/sdk';
import type { Plan, PlannedBlock } from '../plan/plan-pipeline.js';
import { openStore, findStateRoot, type Store } from '../store/open-store.js';
import { StatCache } from '../store/stat-cache.js';
import { atomicWrite } from '../util/atomic-write.js';
import { declaredEnv } from './action-key.js';
import type { BlockEvent, ExecEnv } from './exec-env.js';
import { gitInfo, type GitInfo } from './git-info.js';
import { runBlock, type BlockOutcome } from './run-block.js';
import { writeBlockState } from './run-state.js';
import { SamplePool } from './sample-pool.js';
import { runDeploys } from '../deploy/run-deploys.js';

export { RUNNER_VERSION } from '../version.js';
import { RUNNER_VERSION } from '../version.js';

export type ManifestBlockStatus = 'cached' | 'ran' | 'failed' | 'skipped';

export interface ManifestBlock {
  name: string;
  block: string;
  version: string;
  actionKey: string | null;
  status: ManifestBlockStatus;
  ms: number;
  counters: { samplesComputed: number; samplesCached: number };
  outputs: Record<string, string>;
  skippedSamples?: { unit: string; reason: string }[];
  error?: string;
  /** Exit code the error maps to: 2 for bad input, 1 for a failure. */
  errorExitCode?: 1 | 2;
  /** Deployments: the folder the generated files were written to. */
  deployedTo?: string;
}

/** What a run did: printed by `--json`, written to `.tinyforge/runs/<timestamp>.json`. */
export interface RunManifest {
  pipeline: string;
  pipelineFile: string;
  tinyforgeVersion: string;
  startedAt: string;
  ms: number;
  ok: boolean;
  git: GitInfo;
  blocks: ManifestBlock[];
  /** Set when a corrupt or missing cache blob forced a second, verifying pass. */
  integrityRecovery?: string;
}

export interface RunOptions {
  /** `true` re-executes every block; names re-execute those blocks. */
  force?: boolean | readonly string[];
  signal?: AbortSignal;
  onEvent?: (event: BlockEvent | PipelineEvent) => void;
  /** Worker threads for per-sample work (default: one per core). */
  threads?: number;
  /** Units below this count run in-process (default 32). */
  poolThreshold?: number;
  env?: NodeJS.ProcessEnv;
}

export type PipelineEvent =
  | { type: 'done'; block: string; outcome: BlockOutcome }
  | { type: 'failed'; block: string; error: unknown }
  | { type: 'skipped'; block: string; reason: string }
  | { type: 'restart'; reason: string };

/**
 * Runs a planned pipeline: every block as soon as the blocks it reads are done, independent
 * blocks in parallel, per-sample work on worker threads. A corrupt cache blob found mid-run
 * triggers one more pass that deep-checks every cache hit and recomputes what is missing.
 */
export async function runPipeline(plan: Plan, options: RunOptions = {}): Promise<RunManifest> {
  const startedAt = new Date();
  const t0 = performance.now();
  const processEnv = options.env ?? process.env;
  const store = await openStore(findStateRoot(plan.pipeline.dir, processEnv), processEnv, { remote: true, projectDir: plan.pipeline.dir });
  const statCache = await StatCache.open(store.layout.statCacheDir);
  const pool = new SamplePool(options.threads);
  const git = gitInfo(plan.pipeline.dir, plan.pipeline.dir);
  const signal = options.signal ?? new AbortController().signal;
  setMaxListeners(0, signal); // every block and worker task listens to it
  let integrityRecovery: string | undefined;
  try {
    let blocks = await executeDag(plan, store, statCache, pool, signal, options, false);
    const integrity = blocks.find((b) => b.integrityError);
    if (integrity) {
      integrityRecovery = `${integrity.name}: ${integrity.error}`;
      options.onEvent?.({ type: 'restart', reason: integrityRecovery });
      blocks = await executeDag(plan, store, statCache, pool, signal, options, true);
    }
    await statCache.save();
    // Deployments run once every block is done: they need the model and the DSP blocks' outputs.
    if (blocks.every((b) => b.status === 'cached' || b.status === 'ran') && plan.pipeline.config.deploy) {
      const outputs = new Map(blocks.map((b) => [b.name, b.outputs]));
      const deploys = await runDeploys(plan, outputs, store, {
        force: options.force === true,
        signal,
        log: (line) => options.onEvent?.({ type: 'log', block: 'deploy', level: 'info', message: line }),
      });
      for (const d of deploys) {
        blocks.push({
          name: d.name,
          block: `target:${d.target}`,
          version: d.version,
          actionKey: d.actionKey,
          status: d.status,
          ms: d.ms,
          counters: { samplesComputed: 0, samplesCached: 0 },
          outputs: d.bundle ? { bundle: d.bundle } : {},
          deployedTo: d.out,
          ...(d.error ? { error: d.error, errorExitCode: d.errorExitCode ?? 1 } : {}),
        });
      }
    }
    const manifest: RunManifest = {
      pipeline: plan.pipeline.config.name,
      pipelineFile: relative(process.cwd(), plan.pipeline.file) || plan.pipeline.file,
      tinyforgeVersion: RUNNER_VERSION,
      startedAt: startedAt.toISOString(),
      ms: Math.round(performance.now() - t0),
      ok: blocks.every((b) => b.status === 'cached' || b.status === 'ran'),
      git: await git,
      blocks: blocks.map(({ integrityError: _i, ...b }) => b),
      ...(integrityRecovery ? { integrityRecovery } : {}),
    };
    await writeRunManifest(store, manifest, startedAt);
    return manifest;
  } finally {
    await pool.close();
  }
}

type BlockReport = ManifestBlock & { integrityError?: boolean };

async function executeDag(
  plan: Plan,
  store: Store,
  statCache: StatCache,
  pool: SamplePool,
  signal: AbortSignal,
  options: RunOptions,
  verify: boolean,
): Promise<BlockReport[]> {
  const env: ExecEnv = {
    ...store,
    statCache,
    pool,
    pipelineDir: plan.pipeline.dir,
    env: declaredEnv(plan.pipeline.config.env, options.env ?? process.env),
    force: options.force === true ? true : options.force ? new Set(options.force) : false,
    verify,
    signal,
    onEvent: (e) => options.onEvent?.(e),
    poolThreshold: options.poolThreshold ?? 32,
  };
  const pipelineName = plan.pipeline.config.name;
  const reports = new Map<string, BlockReport>();
  const pending = new Map<string, Promise<BlockOutcome | undefined>>();

  const runOne = async (block: PlannedBlock): Promise<BlockOutcome | undefined> => {
    const upstream = await Promise.all(Object.entries(block.inputs).map(async ([name, input]) => [name, input, await pending.get(input.from)!] as const));
    const base: BlockReport = { name: block.name, block: block.block.id, version: block.block.version, actionKey: null, status: 'skipped', ms: 0, counters: { samplesComputed: 0, samplesCached: 0 }, outputs: {} };
    const missing = upstream.filter(([, , outcome]) => !outcome).map(([, input]) => input.from);
    if (missing.length > 0 || signal.aborted) {
      const reason = signal.aborted ? 'cancelled' : `upstream ${[...new Set(missing)].map((m) => `"${m}"`).join(', ')} did not finish`;
      reports.set(block.name, { ...base, error: reason });
      options.onEvent?.({ type: 'skipped', block: block.name, reason });
      return undefined;
    }
    const inputDigests = Object.fromEntries(upstream.map(([name, input, outcome]) => [name, outcome!.outputs[input.output]!]));
    try {
      const outcome = await runBlock(block, inputDigests, env);
      reports.set(block.name, {
        ...base,
        actionKey: outcome.actionKey,
        status: outcome.status,
        ms: Math.round(outcome.ms),
        counters: outcome.counters,
        outputs: outcome.outputs,
        ...(outcome.skipped.length > 0 ? { skippedSamples: outcome.skipped } : {}),
      });
      await writeBlockState(store.layout.stateDir, pipelineName, block.name, {
        actionKey: outcome.actionKey,
        keyRecord: outcome.keyRecord,
        outputs: outcome.outputs,
        finishedAt: new Date().toISOString(),
        ...(outcome.sources ? { sources: outcome.sources } : {}),
      });
      options.onEvent?.({ type: 'done', block: block.name, outcome });
      return outcome;
    } catch (error) {
      const cancelled = signal.aborted;
      const message = cancelled ? 'cancelled' : isTinyforgeError(error) ? (error as TinyforgeError).format() : String((error as Error)?.stack ?? error);
      const errorExitCode = isTinyforgeError(error) && !cancelled ? (error as TinyforgeError).exitCode : 1;
      reports.set(block.name, { ...base, status: 'failed', error: message, errorExitCode, ...(isTinyforgeError(error) && (error as TinyforgeError).code === 'INTEGRITY' ? { integrityError: true } : {}) });
      options.onEvent?.({ type: 'failed', block: block.name, error });
      return undefined;
    }
  };

  for (const block of plan.blocks) pending.set(block.name, runOne(block));
  await Promise.all(pending.values());
  return plan.blocks.map((b) => reports.get(b.name)!);
}

async function writeRunManifest(store: Store, manifest: RunManifest, startedAt: Date): Promise<void> {
  await mkdir(store.layout.runsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  await atomicWrite(join(store.layout.runsDir, `${stamp}-${manifest.pipeline}-${process.pid}.json`), JSON.stringify(manifest, null, 2), { fsync: false });
}
