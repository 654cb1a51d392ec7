import type { z } from 'zod';
import type {
  ArtifactKind,
  FileSetReader,
  JsonObject,
  JsonValue,
  ReaderOf,
  Sample,
  SampleArtifactKind,
  WriterOf,
} from './artifacts.js';
import { TinyforgeError } from './errors.js';
import type { EmitC } from './emit-c.js';

/** The block API this SDK describes. The runner refuses blocks written for another one. */
export const BLOCK_API_VERSION = 1;
export const SUPPORTED_BLOCK_API_VERSIONS: readonly number[] = [1];

export type BlockKind = 'ingest' | 'transform' | 'dsp' | 'learn' | 'tune' | 'deploy';
export const BLOCK_KINDS: readonly BlockKind[] = ['ingest', 'transform', 'dsp', 'learn', 'tune', 'deploy'];

export type ParamsSchema = z.ZodType<unknown, unknown>;
export type IoSpec = Readonly<Record<string, ArtifactKind>>;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** A problem found in params before anything runs (e.g. an FFT length that is not a power of two). */
export interface ParamProblem {
  /** Path inside params, e.g. `fft_length`. */
  path: string;
  message: string;
}

interface BlockMeta<P extends ParamsSchema, I extends IoSpec, O extends IoSpec> {
  /** Stable id; plugins use their package scope: `@acme/dsp-wavelet`. */
  id: string;
  /** semver; bump on any change of output for the same input. */
  version: string;
  /** The block API it was written for (see BLOCK_API_VERSION). */
  apiVersion: number;
  kind: BlockKind;
  description?: string;
  /** zod schema: defaults, ranges and docs. The single source of truth for params. */
  params: P;
  inputs: I;
  outputs: O;
  /** `never`: always runs (e.g. it reads something the cache cannot see). */
  cache?: 'auto' | 'never';
  /**
   * Params that name a location whose content the runner hashes anyway (e.g. an ingest folder).
   * They are left out of the action key so a checkout in another folder still hits the cache.
   */
  locationParams?: readonly string[];
  /**
   * Files and folders (relative to the pipeline) the block reads besides its input artifacts,
   * e.g. a folder of background noise. Their content digests enter the action key; list the
   * params naming them in `locationParams` so the path itself does not.
   */
  fileInputs?: (params: z.output<P>) => FileInputs;
  /**
   * What else identifies the implementation, resolved before the key is made: e.g. a Docker
   * image's ID after building it. The value enters the action key. With `dryRun` (`tinyforge
   * status`) build and download nothing: when the identity needs such work, return
   * `pendingIdentity(why)`; `status` then says the block will run, and why.
   */
  identity?: (params: z.output<P>, env: { pipelineDir: string; signal: AbortSignal; log: Logger; dryRun?: boolean }) => Promise<JsonValue | undefined>;
  /** Plan-time checks that need more than the zod schema (cross-field rules). */
  checkParams?: (params: z.output<P>) => ParamProblem[];
  /** Set on container blocks (see `defineContainerBlock`): the runner runs them in Docker. */
  runtime?: ContainerRuntime;
}

/** Resource limits of a container run. A pipeline can override them with the param `container`. */
export interface ContainerLimits {
  timeoutSec?: number;
  memoryMb?: number;
  cpus?: number;
}

/**
 * Where a container block's code runs: an image the engine has (`image`), or one built from a
 * Dockerfile (`context`, absolute or relative to the pipeline file, + `dockerfile` inside it).
 * The image ID enters the action key. Inputs, outputs and params reach the container by
 * Edge Impulse's custom-block contracts (`protocol`, by default from `kind`).
 */
export interface ContainerRuntime {
  image?: string;
  context?: string;
  dockerfile?: string;
  /** `edge-impulse-dsp`: an HTTP server (port 4446, POST /batch and /run), one per block run. */
  protocol?: 'edge-impulse-transform' | 'edge-impulse-learn' | 'edge-impulse-dsp';
  /** Transform blocks: one run over a directory of inputs (default) or one run per file. */
  operatesOn?: 'directory' | 'file';
  limits?: ContainerLimits;
}

export interface FileInputs {
  files?: readonly string[];
  folders?: readonly { root: string; extensions?: readonly string[] }[];
}

/** Context of a block that sees whole artifacts. */
export interface BlockContext<P extends ParamsSchema, I extends IoSpec, O extends IoSpec> {
  params: z.output<P>;
  inputs: { [K in keyof I]: ReaderOf[I[K]] };
  outputs: { [K in keyof O]: WriterOf[O[K]] };
  log: Logger;
  /** Reports progress; the runner shows it in the task tree. */
  progress(done: number, total?: number, note?: string): void;
  signal: AbortSignal;
  /** A private empty directory, deleted after the block ends. */
  scratchDir: string;
  /** Directory of the pipeline file, for resolving relative paths in params. */
  pipelineDir: string;
  /** Name of this block instance in the pipeline. */
  blockName: string;
}

/** Context of a per-sample function. Everything here must be cheap to rebuild in a worker. */
export interface SampleContext<P extends ParamsSchema, S> {
  params: z.output<P>;
  /** What `prepare` returned (FFT plans, filterbanks): built once per worker, reused per sample. */
  state: S;
  pipelineDir: string;
}

/** One source file of an ingest block, with its content digest. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the source root, with `/` separators: stable across machines. */
  relPath: string;
  /** sha256 of the content. */
  digest: string;
  size: number;
}

export interface SourceSpec {
  /** Folder to scan recursively (absolute, or relative to the pipeline directory). */
  root: string;
  /** File name suffixes to keep, e.g. `['.wav', '.csv']`; all files when absent. */
  extensions?: readonly string[];
  /** Regular expressions over the relative path (`/`-separated): matching files are skipped. */
  exclude?: readonly string[];
  /** Files whose content affects every sample (a labels file): their digests enter every key. */
  sharedFiles?: readonly string[];
}

interface SampleBlockFns<P extends ParamsSchema, S> {
  /** Built once per worker from params: plans, tables. Must be deterministic. */
  prepare?: (params: z.output<P>, env: { pipelineDir: string }) => S;
  /** Output artifact meta (e.g. feature shape), from params and input meta. */
  outputMeta?: (params: z.output<P>, inputMeta: JsonObject) => JsonObject;
}

/** A pure per-sample function over a dataset/features artifact; cached per sample. */
export interface SampleBlock<
  P extends ParamsSchema = ParamsSchema,
  I extends IoSpec = IoSpec,
  O extends IoSpec = IoSpec,
  S = unknown,
> extends BlockMeta<P, I, O>,
    SampleBlockFns<P, S> {
  granularity: 'sample';
  /** Returns the output sample(s) for one input sample; `null` or `[]` drops it. */
  runSample: (sample: Sample, ctx: SampleContext<P, S>) => Sample | Sample[] | null | Promise<Sample | Sample[] | null>;
  sources?: undefined;
  /** DSP blocks that run on a device: C99 source for these params (see emit-c.ts). Deploy needs it. */
  emitC?: EmitC<z.output<P>>;
}

/** An ingest block: reads files, one unit of caching per source file. */
export interface SourceBlock<P extends ParamsSchema = ParamsSchema, O extends IoSpec = IoSpec, S = unknown>
  extends BlockMeta<P, Record<string, never>, O>,
    SampleBlockFns<P, S> {
  granularity: 'sample';
  sources: (params: z.output<P>) => SourceSpec;
  readSource: (file: SourceFile, content: Buffer, ctx: SampleContext<P, S>) => Sample[] | Promise<Sample[]>;
  runSample?: undefined;
}

/** A block that sees whole artifacts (training, deploy, statistics over a dataset). */
export interface WholeBlock<P extends ParamsSchema = ParamsSchema, I extends IoSpec = IoSpec, O extends IoSpec = IoSpec>
  extends BlockMeta<P, I, O> {
  granularity: 'whole';
  run: (ctx: BlockContext<P, I, O>) => Promise<void>;
  /**
   * Each output sample depends only on the input sample with the same id (and the params), as
   * in a DSP block served by a container. The runner then caches the block per sample: `run`
   * sees only the samples it has not computed before (a dataset reader over those), and an
   * added sample costs one sample's work. One dataset/features input and output; `run` must
   * write exactly one sample per input sample, with its id. Leave unset when outputs depend on
   * other samples (dataset statistics, state carried between batches).
   */
  perSample?: boolean;
  /**
   * Learn blocks: turns the model artifact this block wrote back into something that classifies
   * feature vectors. `tinyforge test` and `eval` use it as the reference implementation.
   */
  loadPredictor?: (model: FileSetReader, options: { precision: Precision }) => Promise<Predictor>;
}

export type Precision = 'int8' | 'float32';

/** What a trained model does at inference: feature vector in, one score per label out. */
export interface Predictor {
  labels: readonly string[];
  precision: Precision;
  /** Scores (probabilities) per label; `raw` is the int8 output tensor for int8 models. */
  predict(features: Float32Array): { scores: Float32Array; raw?: Int8Array };
}

/**
 * A dry-run identity that cannot be known without work `status` must not do (building an image):
 * it equals no real identity, so the block shows as "will run", with `reason` as the why.
 */
export interface PendingIdentity {
  pendingIdentity: string;
}

export function pendingIdentity(reason: string): PendingIdentity {
  return { pendingIdentity: reason };
}

/** The reason of a pending identity found anywhere in an identity value, if any. */
export function pendingIdentityReason(identity: unknown): string | undefined {
  if (identity === null || typeof identity !== 'object') return undefined;
  const own = (identity as Partial<PendingIdentity>).pendingIdentity;
  if (typeof own === 'string') return own;
  for (const value of Object.values(identity)) {
    const inner = pendingIdentityReason(value);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBlock = SampleBlock<any, any, any, any> | SourceBlock<any, any, any> | WholeBlock<any, any, any>;

const ID_PATTERN = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
const SEMVER_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** The major version of a semver string. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/**
 * Declares a block. Checks the declaration itself (id, semver, API version, artifact kinds,
 * the functions its granularity needs) so a broken plugin fails when loaded, not mid-run.
 */
export function defineBlock<P extends ParamsSchema, I extends IoSpec, O extends IoSpec, S = undefined>(
  block: SampleBlock<P, I, O, S>,
): SampleBlock<P, I, O, S>;
export function defineBlock<P extends ParamsSchema, O extends IoSpec, S = undefined>(
  block: SourceBlock<P, O, S>,
): SourceBlock<P, O, S>;
export function defineBlock<P extends ParamsSchema, I extends IoSpec, O extends IoSpec>(
  block: WholeBlock<P, I, O>,
): WholeBlock<P, I, O>;
export function defineBlock(block: AnyBlock): AnyBlock {
  const problems = checkBlockDeclaration(block);
  if (problems.length > 0) {
    throw new TinyforgeError({
      code: 'PLUGIN',
      message: `invalid block declaration "${String(block.id)}": ${problems.join('; ')}`,
    });
  }
  return Object.freeze(block);
}

const KINDS = new Set(['dataset', 'features', 'model', 'bundle']);

export function checkBlockDeclaration(block: AnyBlock): string[] {
  const problems: string[] = [];
  if (typeof block.id !== 'string' || !ID_PATTERN.test(block.id)) problems.push(`id must look like "dsp/mfcc" or "@scope/name", found ${JSON.stringify(block.id)}`);
  if (typeof block.version !== 'string' || !SEMVER_PATTERN.test(block.version)) problems.push(`version must be semver, found ${JSON.stringify(block.version)}`);
  if (typeof block.apiVersion !== 'number') problems.push('apiVersion must be a number');
  if (!(BLOCK_KINDS as readonly string[]).includes(block.kind)) problems.push(`kind must be one of ${BLOCK_KINDS.join(', ')}`);
  if (!block.params || typeof (block.params as { safeParse?: unknown }).safeParse !== 'function') problems.push('params must be a zod schema');
  for (const [side, spec] of [['inputs', block.inputs], ['outputs', block.outputs]] as const) {
    if (!spec || typeof spec !== 'object') {
      problems.push(`${side} must be an object of artifact kinds`);
      continue;
    }
    for (const [name, kind] of Object.entries(spec)) {
      if (!KINDS.has(kind as string)) problems.push(`${side}.${name}: unknown artifact kind ${JSON.stringify(kind)}`);
    }
  }
  if (block.granularity === 'sample') {
    const outputs = Object.values(block.outputs ?? {});
    if (outputs.length !== 1 || !isSampleKindName(outputs[0])) problems.push('a per-sample block has exactly one dataset/features output');
    if (typeof block.sources === 'function') {
      if (typeof block.readSource !== 'function') problems.push('a source block needs readSource()');
      if (Object.keys(block.inputs ?? {}).length !== 0) problems.push('a source block has no inputs');
    } else {
      if (typeof block.runSample !== 'function') problems.push('a per-sample block needs runSample()');
      const inputs = Object.values(block.inputs ?? {});
      if (inputs.length !== 1 || !isSampleKindName(inputs[0])) problems.push('a per-sample block has exactly one dataset/features input');
    }
  } else if (block.granularity === 'whole') {
    if (typeof block.run !== 'function') problems.push('a whole block needs run()');
    if (block.perSample !== undefined && typeof block.perSample !== 'boolean') problems.push('perSample must be true or false');
    if (block.perSample === true) {
      const inputs = Object.values(block.inputs ?? {});
      const outputs = Object.values(block.outputs ?? {});
      if (inputs.length !== 1 || !isSampleKindName(inputs[0]) || outputs.length !== 1 || !isSampleKindName(outputs[0])) {
        problems.push('a perSample block has exactly one dataset/features input and one dataset/features output');
      }
    }
  } else {
    problems.push(`granularity must be "sample" or "whole", found ${JSON.stringify((block as { granularity?: unknown }).granularity)}`);
  }
  return problems;
}

function isSampleKindName(kind: unknown): kind is SampleArtifactKind {
  return kind === 'dataset' || kind === 'features';
}

/**
 * Declares a block whose code runs in a container. The runner supplies `run` (and adds the image
 * ID to the action key); outside the runner, calling `run` is an error.
 */
export function defineContainerBlock<P extends ParamsSchema, I extends IoSpec, O extends IoSpec>(
  block: Omit<WholeBlock<P, I, O>, 'run' | 'granularity' | 'runtime'> & { runtime: ContainerRuntime },
): WholeBlock<P, I, O> {
  return defineBlock<P, I, O>({
    ...block,
    granularity: 'whole',
    run: async () => {
      throw new TinyforgeError({ code: 'PLUGIN', message: `${block.id} runs in a container; only the tinyforge runner can run it` });
    },
  });
}

export function isSourceBlock(block: AnyBlock): block is SourceBlock {
  return block.granularity === 'sample' && typeof block.sources === 'function';
}
export function isSampleBlock(block: AnyBlock): block is SampleBlock {
  return block.granularity === 'sample' && typeof block.runSample === 'function';
}
