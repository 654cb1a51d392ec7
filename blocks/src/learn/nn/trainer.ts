import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { TinyforgeError } from '@tinyforge/sdk';
import type { Network } from './network.js';
import type { LayerSpec } from './spec.js';
import { trainAsync, type Dataset, type EpochLog, type Task, type TrainingSettings, type TrainResult } from './train.js';
import type { Tf } from './tfjs-train.js';

/**
 * Which code trains: `engine` (tinyforge's typed-array engine), `tfjs-node` (TensorFlow's C
 * library through @tensorflow/tfjs-node, when installed), or `auto` = tfjs-node if present.
 */
export type TrainerChoice = 'auto' | 'engine' | 'tfjs-node';
export const TFJS_NODE = '@tensorflow/tfjs-node';

export type ModuleImporter = (specifier: string) => Promise<unknown>;
// Through a variable, so bundlers and tsc do not try to resolve the optional package.
const importModule: ModuleImporter = (specifier) => import(specifier);

/** The installed tfjs-node version, found without loading it (cheap: used for the action key). */
export function installedTfjsNodeVersion(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve(`${TFJS_NODE}/package.json`), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return null;
  }
}

/** What enters the action key: nothing for the engine (keys stay as they were), the tfjs-node version otherwise. */
export function trainerIdentity(choice: TrainerChoice | undefined): { trainer: string; version: string } | undefined {
  if (choice === 'engine') return undefined;
  const version = installedTfjsNodeVersion();
  return version ? { trainer: TFJS_NODE, version } : undefined;
}

function isMissingModule(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

export interface ResolvedTrainer {
  kind: 'engine' | 'tfjs-node';
  tf: Tf | null;
  /** One line for the block log: which backend trains, and why. */
  note: string;
}

/**
 * Picks the training backend. A missing tfjs-node falls back to the engine under `auto`; one that
 * is installed but fails to load (e.g. no libtensorflow for this platform) also falls back, with
 * the reason in the log. `tfjs-node` (explicit) fails instead.
 */
export async function resolveTrainer(choice: TrainerChoice | undefined, importer: ModuleImporter = importModule): Promise<ResolvedTrainer> {
  if (choice === 'engine') return { kind: 'engine', tf: null, note: 'training backend: tinyforge engine (trainer: engine)' };
  let reason: string;
  try {
    const mod = (await importer(TFJS_NODE)) as Tf & { default?: Tf };
    const tf = typeof mod.sequential === 'function' ? mod : mod.default!;
    return { kind: 'tfjs-node', tf, note: `training backend: ${TFJS_NODE} (TensorFlow backend "${tf.getBackend()}")` };
  } catch (err) {
    reason = isMissingModule(err) ? 'not installed' : `failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  if (choice === 'tfjs-node') {
    throw new TinyforgeError({ code: 'BAD_INPUT', path: 'trainer', message: `trainer "tfjs-node" asked for, but ${TFJS_NODE} is ${reason}`, hint: `npm install ${TFJS_NODE} (downloads libtensorflow), or use trainer: auto` });
  }
  return { kind: 'engine', tf: null, note: `training backend: tinyforge engine (${TFJS_NODE} ${reason})` };
}

/** Trains `net` on the resolved backend; the result has the same shape either way. */
export async function trainNetwork(trainer: ResolvedTrainer, net: Network, specs: readonly LayerSpec[], trainSet: Dataset, valSet: Dataset | null, task: Task, settings: TrainingSettings, onEpoch?: (log: EpochLog) => void): Promise<TrainResult> {
  if (trainer.kind === 'engine' || !trainer.tf) return trainAsync(net, trainSet, valSet, task, settings, onEpoch);
  const { trainWithTfjs } = await import('./tfjs-train.js');
  return trainWithTfjs(trainer.tf, net, specs, trainSet, valSet, task, settings, onEpoch);
}
