import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import type { ArtifactReader, ArtifactWriter, JsonObject, Sample } from '../artifacts.js';
import type { AnyBlock, BlockContext, IoSpec, ParamsSchema, SampleBlock, SourceBlock, SourceFile, WholeBlock } from '../block.js';
import { isSampleBlock, isSourceBlock } from '../block.js';
import { TinyforgeError } from '../errors.js';
import { checkOutputSample, cloneSample, memoryFileWriter, memorySampleWriter, type MemoryFileWriter, type MemorySampleWriter } from './memory-artifacts.js';

export interface LogLine {
  level: 'info' | 'warn' | 'debug';
  message: string;
}

/**
 * Parses params as the runner does at plan time: the block's zod schema (defaults filled in),
 * unknown params refused, then `checkParams`. Throws a PARAMS_INVALID error listing every problem.
 */
export function parseBlockParams<B extends AnyBlock>(block: B, params: unknown = {}): z.output<B['params']> {
  const problems: string[] = [];
  const shape = (block.params as { shape?: Record<string, unknown> }).shape;
  if (shape && params && typeof params === 'object') {
    for (const key of Object.keys(params)) if (!(key in shape)) problems.push(`${key}: ${block.id} has no param "${key}"`);
  }
  const parsed = (block.params as ParamsSchema).safeParse(params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(params)'}: ${issue.message}`);
  } else {
    for (const p of block.checkParams?.(parsed.data as never) ?? []) problems.push(`${p.path}: ${p.message}`);
  }
  if (problems.length > 0) {
    throw new TinyforgeError({ code: 'PARAMS_INVALID', message: `${block.id}: invalid params: ${problems.join('; ')}` });
  }
  return (parsed as { data: z.output<B['params']> }).data;
}

export interface RunSampleBlockOptions {
  /** Meta of the input artifact (e.g. `{ frequency, frames }`), passed to `outputMeta`. */
  inputMeta?: JsonObject;
  /** Directory relative paths in params resolve against (default: the current directory). */
  pipelineDir?: string;
  /**
   * Run every sample twice and compare the outputs (default true): the runner caches per
   * sample, so a block must return equal output for equal input.
   */
  checkDeterminism?: boolean;
}

export interface SampleBlockResult<P> {
  /** Output samples in input order (a dropped sample contributes none, a split one several). */
  samples: Sample[];
  /** Output artifact meta: `outputMeta(params, inputMeta)`, or the input meta. */
  meta: JsonObject;
  /** Params after parsing (defaults filled in). */
  params: P;
  /** Ids of input samples the block dropped (returned null or []). */
  dropped: string[];
}

/**
 * Runs a per-sample block on fixture samples the way a worker of the runner does: params
 * validated by the block's schema, `prepare` once, `runSample` per sample, outputs checked as the
 * store would check them. The block must not mutate its input; this is checked too.
 */
export async function runSampleBlock<B extends SampleBlock<any, any, any, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  block: B,
  samples: readonly Sample[],
  params: z.input<B['params']> | Record<string, unknown> = {},
  options: RunSampleBlockOptions = {},
): Promise<SampleBlockResult<z.output<B['params']>>> {
  if (!isSampleBlock(block)) throw new Error(`${String((block as AnyBlock).id)} is not a per-sample block (granularity "sample" with runSample)`);
  const parsed = parseBlockParams(block, params);
  const pipelineDir = options.pipelineDir ?? process.cwd();
  const ctx = { params: parsed, state: block.prepare ? block.prepare(parsed, { pipelineDir }) : undefined, pipelineDir };
  const out: Sample[] = [];
  const dropped: string[] = [];
  for (const input of samples) {
    const produced = await runOne(block, input, ctx);
    if (options.checkDeterminism ?? true) {
      const again = await runOne(block, input, ctx);
      const a = produced.map(fingerprint).join(',');
      const b = again.map(fingerprint).join(',');
      if (a !== b) throw new Error(`${block.id}: sample ${input.id}: two runs gave different outputs; per-sample blocks must be deterministic (seed randomness from the sample id)`);
    }
    if (produced.length === 0) dropped.push(input.id);
    out.push(...produced);
  }
  const inputMeta = options.inputMeta ?? {};
  const meta = block.outputMeta ? block.outputMeta(parsed, inputMeta) : inputMeta;
  return { samples: out, meta, params: parsed, dropped };
}

async function runOne(block: SampleBlock, input: Sample, ctx: { params: unknown; state: unknown; pipelineDir: string }): Promise<Sample[]> {
  const given = cloneSample(input);
  const before = fingerprint(given);
  const result = await block.runSample(given, ctx as never);
  if (fingerprint(given) !== before) throw new Error(`${block.id}: sample ${input.id}: runSample mutated its input sample; return a new one`);
  const list = result === null ? [] : Array.isArray(result) ? result : [result];
  for (const s of list) checkOutputSample(s, `${block.id}: sample ${input.id}`);
  return list;
}

function fingerprint(sample: Sample): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ id: sample.id, label: sample.label, category: sample.category, sensors: sample.sensors, intervalMs: sample.intervalMs, shape: sample.shape ?? null, meta: sample.meta ?? null }));
  hash.update(new Uint8Array(sample.values.buffer, sample.values.byteOffset, sample.values.byteLength));
  return hash.digest('hex');
}

/** One file for a source (ingest) block: a path relative to the source root and its content. */
export interface FixtureFile {
  relPath: string;
  content: Buffer | string;
}

/** Runs an ingest block's `readSource` on in-memory files; returns the samples in file order. */
export async function runSourceBlock<B extends SourceBlock<any, any, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  block: B,
  files: readonly FixtureFile[],
  params: z.input<B['params']> | Record<string, unknown> = {},
  options: { pipelineDir?: string } = {},
): Promise<Sample[]> {
  if (!isSourceBlock(block)) throw new Error(`${String((block as AnyBlock).id)} is not a source block (sources + readSource)`);
  const parsed = parseBlockParams(block, params);
  const pipelineDir = options.pipelineDir ?? process.cwd();
  const ctx = { params: parsed, state: block.prepare ? block.prepare(parsed, { pipelineDir }) : undefined, pipelineDir };
  const out: Sample[] = [];
  for (const f of files) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    const file: SourceFile = { path: join(pipelineDir, f.relPath), relPath: f.relPath, digest: createHash('sha256').update(content).digest('hex'), size: content.length };
    const samples = await block.readSource(file, content, ctx as never);
    for (const s of samples) checkOutputSample(s, `${block.id}: ${f.relPath}`);
    out.push(...samples);
  }
  return out;
}

type MemoryWriterOf<O extends IoSpec> = { [K in keyof O]: O[K] extends 'dataset' | 'features' ? MemorySampleWriter : MemoryFileWriter };

export interface WholeBlockResult<O extends IoSpec, P> {
  /** The in-memory writers the block wrote to: `.samples`/`.files` and `.meta`. */
  outputs: MemoryWriterOf<O>;
  params: P;
  logs: LogLine[];
  progress: { done: number; total?: number; note?: string }[];
}

/**
 * Runs a whole-artifact block (training, statistics) on in-memory inputs (memorySampleSet /
 * memoryFileSet). Gives it a scratch directory that is removed afterwards.
 */
export async function runWholeBlock<B extends WholeBlock<any, any, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  block: B,
  inputs: { [K in keyof B['inputs']]: ArtifactReader },
  params: z.input<B['params']> | Record<string, unknown> = {},
  options: { pipelineDir?: string; signal?: AbortSignal; blockName?: string } = {},
): Promise<WholeBlockResult<B['outputs'], z.output<B['params']>>> {
  if (block.granularity !== 'whole') throw new Error(`${String((block as AnyBlock).id)} is not a whole block`);
  const parsed = parseBlockParams(block, params);
  for (const [name, kind] of Object.entries(block.inputs as IoSpec)) {
    const reader = (inputs as Record<string, ArtifactReader | undefined>)[name];
    if (!reader) throw new Error(`${block.id}: input "${name}" (${kind}) not given`);
    if (reader.kind !== kind && !(isSampleKindName(kind) && isSampleKindName(reader.kind))) throw new Error(`${block.id}: input "${name}" needs ${kind}, given ${reader.kind}`);
  }
  const outputs: Record<string, ArtifactWriter> = {};
  for (const [name, kind] of Object.entries(block.outputs as IoSpec)) {
    outputs[name] = kind === 'dataset' || kind === 'features' ? memorySampleWriter(kind) : memoryFileWriter(kind);
  }
  const logs: LogLine[] = [];
  const progress: WholeBlockResult<IoSpec, unknown>['progress'] = [];
  const scratchDir = await mkdtemp(join(tmpdir(), 'tinyforge-test-'));
  const ctx: BlockContext<ParamsSchema, IoSpec, IoSpec> = {
    params: parsed,
    inputs: inputs as never,
    outputs: outputs as never,
    log: {
      info: (message) => logs.push({ level: 'info', message }),
      warn: (message) => logs.push({ level: 'warn', message }),
      debug: (message) => logs.push({ level: 'debug', message }),
    },
    progress: (done, total, note) => progress.push({ done, ...(total === undefined ? {} : { total }), ...(note === undefined ? {} : { note }) }),
    signal: options.signal ?? new AbortController().signal,
    scratchDir,
    pipelineDir: options.pipelineDir ?? process.cwd(),
    blockName: options.blockName ?? block.id.replace(/[^A-Za-z0-9_-]/g, '_'),
  };
  try {
    await block.run(ctx as never);
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  return { outputs: outputs as MemoryWriterOf<B['outputs']>, params: parsed, logs, progress };
}

function isSampleKindName(kind: string): boolean {
  return kind === 'dataset' || kind === 'features';
}

/**
 * Throws unless `actual` and `expected` have equal length and every element is within
 * `tolerance` (absolute, plus the same relative to |expected|). Names the first bad index.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6, label = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance * (1 + Math.abs(e)))) throw new Error(`${label}[${i}]: ${a}, expected ${e} (tolerance ${tolerance})`);
  }
}
