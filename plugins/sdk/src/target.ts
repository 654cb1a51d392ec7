import type { z } from 'zod';
import type { FileSetReader, JsonObject } from './artifacts.js';
import type { AnyBlock, Logger, ParamsSchema } from './block.js';
import { TinyforgeError } from './errors.js';

/**
 * A target turns a trained model and the pipeline's DSP blocks into something that runs on a
 * device (a C++ library, an Arduino sketch). Targets are plugins like blocks: packages named
 * `tinyforge-target-*` list theirs in package.json (`tinyforge.targets`). The runner refuses a
 * target written for a target API it does not support.
 */
export const TARGET_API_VERSION = 1;
export const SUPPORTED_TARGET_API_VERSIONS: readonly number[] = [1];

/** A DSP block of the pipeline the target must reproduce on the device, in pipeline order. */
export interface TargetDspBlock {
  /** Instance name in the pipeline, e.g. `mfcc`. */
  name: string;
  /** The block itself: id, version, and optional code generators such as `emitC`. */
  block: AnyBlock;
  /** Params after the block's schema filled in defaults. */
  params: JsonObject;
  /** Meta of the features artifact it produced (e.g. `{ shape, dsp }`). */
  outputMeta: JsonObject;
  /** The raw window it reads on the device, when every input sample has the same one. */
  input?: { frames: number; axes: number; frequency: number };
}

/** Where a target writes what it generates: paths relative to its output folder, `/`-separated. */
export interface OutputDirWriter {
  writeFile(relPath: string, data: Uint8Array | string): Promise<void>;
  writeJson(relPath: string, value: unknown): Promise<void>;
}

export interface TargetContext<P extends ParamsSchema = ParamsSchema> {
  params: z.output<P>;
  /** The trained model artifact (e.g. `model.tflite`, `labels.json`). */
  model: FileSetReader;
  /**
   * An anomaly model trained on the same features as `model` (its meta has `task: 'anomaly'`;
   * learn/anomaly writes `anomaly.json`), when the deployment includes one. Targets that cannot
   * score anomalies may ignore it; the C++ family fills `result.anomaly` with it.
   */
  anomaly?: FileSetReader;
  dsp: readonly TargetDspBlock[];
  output: OutputDirWriter;
  /** Name and version of the pipeline, for library names and version macros. */
  pipeline: { name: string; version?: string };
  log: Logger;
  signal: AbortSignal;
}

export interface Target<P extends ParamsSchema = ParamsSchema> {
  /** Stable id, e.g. `cpp` or `@acme/zephyr`. */
  id: string;
  /** semver; bump on any change of generated output for the same input. */
  version: string;
  /** The target API it was written for (see TARGET_API_VERSION). */
  apiVersion: number;
  description?: string;
  params: P;
  /** Generates the output. Must be deterministic: equal inputs give equal files. */
  emit: (ctx: TargetContext<P>) => Promise<void>;
  /**
   * What else the output depends on, outside the target's version and params: e.g. the
   * versions of the compilers and emulator behind on-device estimates. Enters the deploy's
   * cache key, so a toolchain upgrade rebuilds instead of reusing stale figures.
   */
  identity?: (params: z.output<P>, ctx: { signal: AbortSignal }) => Promise<JsonObject> | JsonObject;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTarget = Target<any>;

const TARGET_ID = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Declares a deploy target; a broken declaration fails when loaded, not mid-run. */
export function defineTarget<P extends ParamsSchema>(target: Target<P>): Target<P> {
  const problems = checkTargetDeclaration(target);
  if (problems.length > 0) {
    throw new TinyforgeError({ code: 'PLUGIN', message: `invalid target declaration "${String(target.id)}": ${problems.join('; ')}` });
  }
  return Object.freeze(target);
}

export function checkTargetDeclaration(target: AnyTarget): string[] {
  const problems: string[] = [];
  if (typeof target.id !== 'string' || !TARGET_ID.test(target.id)) problems.push(`id must look like "cpp" or "@scope/name", found ${JSON.stringify(target.id)}`);
  if (typeof target.version !== 'string' || !SEMVER.test(target.version)) problems.push(`version must be semver, found ${JSON.stringify(target.version)}`);
  if (typeof target.apiVersion !== 'number') problems.push('apiVersion must be a number');
  if (!target.params || typeof (target.params as { safeParse?: unknown }).safeParse !== 'function') problems.push('params must be a zod schema');
  if (typeof target.emit !== 'function') problems.push('a target needs emit()');
  return problems;
}
