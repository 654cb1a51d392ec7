import { mkdtemp, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  TinyforgeError,
  isSampleKind,
  isSourceBlock,
  type ArtifactKind,
  type BlockContext,
  type JsonObject,
  type Logger,
  type SampleContext,
  type SampleRef,
  type SampleSetReader,
  type FileSetReader,
  type SourceBlock,
} from '@tinyforge/sdk';
import type { ActionCounters, ActionResult } from '../store/action-cache.js';
import { ACTION_RESULT_FORMAT } from '../store/action-cache.js';
import type { PlannedBlock } from '../plan/plan-pipeline.js';
import { hashRecord, sha256 } from '../util/hash.js';
import { MANIFEST_FORMAT, isSampleSetManifest, type SampleSetManifest } from '../artifacts/manifest.js';
import { actionRecord, baseRecord, keyOf, unitKey } from './action-key.js';
import { isForced, type ExecEnv } from './exec-env.js';
import { computeUnit, deserializeError, type UnitOutcome, type WorkUnit } from './unit-work.js';
import type { ScannedFile } from '../store/stat-cache.js';

export type BlockStatus = 'cached' | 'ran';

export interface BlockOutcome {
  status: BlockStatus;
  actionKey: string;
  keyRecord: JsonObject;
  outputs: Record<string, string>;
  ms: number;
  counters: ActionCounters;
  /** Units a block with `onBadSample: 'skip'` left out, with why. */
  skipped: { unit: string; reason: string }[];
  /** For ingest blocks: relPath → digest of every source file (so `status` can say which changed). */
  sources?: Record<string, string>;
}

const MAX_KEPT_LOG_LINES = 200;
const MAX_LISTED_FAILURES = 20;
const UNIT_FLUSH_MS = 3000;

/** Executes one planned block: a cache hit, or a run whose result is published atomically. */
export async function runBlock(block: PlannedBlock, inputDigests: Record<string, string>, env: ExecEnv): Promise<BlockOutcome> {
  const started = performance.now();
  const source = isSourceBlock(block.block) ? await scanSources(block, env) : undefined;
  const identity = await block.block.identity?.(block.params as never, { pipelineDir: env.pipelineDir, signal: env.signal, log: blockLogger(block.name, env, []) });
  const base = baseRecord(block, env.env, { ...source?.shared, ...(await hashFileInputs(block, env)) }, identity, await hashBlockCode(block, env));
  const inputs = source ? { sources: sourcesDigest(source.files) } : inputDigests;
  const keyRecord = actionRecord(base, inputs);
  const actionKey = keyOf(keyRecord);
  const sources = source ? Object.fromEntries(source.files.map((f) => [f.relPath, f.digest])) : undefined;
  const forced = isForced(env, block.name) || block.cache === 'never';

  const cachedOutcome = (result: ActionResult): BlockOutcome => ({
    status: 'cached',
    actionKey,
    keyRecord,
    outputs: result.outputs,
    ms: performance.now() - started,
    counters: { samplesComputed: 0, samplesCached: result.counters.samplesComputed + result.counters.samplesCached },
    skipped: [],
    ...(sources ? { sources } : {}),
  });

  if (!forced) {
    const hit = await validHit(actionKey, env);
    if (hit) return cachedOutcome(hit);
  }

  const release = await env.locks.acquire(actionKey, env.signal);
  try {
    if (!forced) {
      // Another process may have finished this action while we waited for the lock.
      const hit = await validHit(actionKey, env);
      if (hit) return cachedOutcome(hit);
    }
    env.onEvent({ type: 'start', block: block.name });
    const logs: string[] = [];
    const log = blockLogger(block.name, env, logs);
    const executed =
      block.block.granularity === 'whole'
        ? block.block.perSample
          ? await runWholePerSample(block, keyOf(base), inputDigests, env, log)
          : await runWhole(block, inputDigests, env, log)
        : await runPerSample(block, keyOf(base), inputDigests, source?.files, env, log);
    const ms = performance.now() - started;
    await env.actionCache.put({
      format: ACTION_RESULT_FORMAT,
      actionKey,
      keyRecord,
      outputs: executed.outputs,
      ms: Math.round(ms),
      finishedAt: new Date().toISOString(),
      counters: executed.counters,
      logs: logs.slice(-MAX_KEPT_LOG_LINES),
    });
    return { status: 'ran', actionKey, keyRecord, outputs: executed.outputs, ms, counters: executed.counters, skipped: executed.skipped, ...(sources ? { sources } : {}) };
  } finally {
    await release();
  }
}

async function validHit(actionKey: string, env: ExecEnv): Promise<ActionResult | undefined> {
  const result = await env.actionCache.get(actionKey);
  if (!result) return undefined;
  for (const digest of Object.values(result.outputs)) {
    if (!(await env.cas.has(digest))) return undefined;
    if (env.verify && !(await artifactComplete(digest, env))) return undefined;
  }
  return result;
}

/** Deep check: the manifest and every blob it names are present and the manifest is intact. */
async function artifactComplete(digest: string, env: ExecEnv): Promise<boolean> {
  try {
    const manifest = await env.artifacts.getManifest(digest);
    const blobs = isSampleSetManifest(manifest) ? manifest.samples.map((s) => s.digest) : manifest.files.map((f) => f.digest);
    for (const blob of blobs) if (!(await env.cas.has(blob))) return false;
    return true;
  } catch {
    return false;
  }
}

/** Content digests of a block's declared file inputs, keyed by position so paths stay out of the key. */
export async function hashFileInputs(block: PlannedBlock, env: Pick<ExecEnv, 'statCache' | 'pipelineDir'>): Promise<Record<string, string>> {
  const spec = block.block.fileInputs?.(block.params as never);
  if (!spec) return {};
  const out: Record<string, string> = {};
  for (const [i, file] of (spec.files ?? []).entries()) out[`file${i}`] = (await env.statCache.digest(resolve(env.pipelineDir, file))).digest;
  for (const [i, folder] of (spec.folders ?? []).entries()) out[`folder${i}`] = sourcesDigest(await env.statCache.scan(resolve(env.pipelineDir, folder.root), folder.extensions));
  return out;
}

/** Digest of a local block's code: its module file, or every file of its folder but node_modules. */
export async function hashBlockCode(block: PlannedBlock, env: Pick<ExecEnv, 'statCache'>): Promise<string | undefined> {
  if (!block.code) return undefined;
  if (!statSync(block.code).isDirectory()) return (await env.statCache.digest(block.code)).digest;
  return sourcesDigest((await env.statCache.scan(block.code)).filter((f) => !f.relPath.startsWith('node_modules/')));
}

/** Digest of a source file list. Arrays of strings are canonical under JSON.stringify already. */
export function sourcesDigest(files: readonly ScannedFile[]): string {
  return sha256(JSON.stringify(files.map((f) => [f.relPath, f.digest])));
}

export async function scanSources(block: PlannedBlock, env: ExecEnv): Promise<{ files: ScannedFile[]; shared: Record<string, string> }> {
  const spec = (block.block as SourceBlock).sources(block.params as never);
  const root = resolve(env.pipelineDir, spec.root);
  const excluded = (spec.exclude ?? []).map((p) => new RegExp(p));
  const files = (await env.statCache.scan(root, spec.extensions)).filter((f) => !excluded.some((re) => re.test(f.relPath)));
  const shared: Record<string, string> = {};
  for (const file of spec.sharedFiles ?? []) {
    const abs = resolve(env.pipelineDir, file);
    shared[file.startsWith('/') ? abs.split('/').pop()! : file] = (await env.statCache.digest(abs)).digest;
  }
  // A shared file inside the scanned folder (a labels.csv) is not itself a sample.
  const sharedAbs = new Set((spec.sharedFiles ?? []).map((f) => resolve(env.pipelineDir, f)));
  return { files: files.filter((f) => !sharedAbs.has(f.path)), shared };
}

interface Executed {
  outputs: Record<string, string>;
  counters: ActionCounters;
  skipped: { unit: string; reason: string }[];
}

async function runWhole(block: PlannedBlock, inputDigests: Record<string, string>, env: ExecEnv, log: Logger): Promise<Executed> {
  const inputs: Record<string, SampleSetReader | FileSetReader> = {};
  let inputSamples = 0;
  for (const [name, digest] of Object.entries(inputDigests)) {
    const reader = await env.artifacts.reader(digest);
    if ('samples' in reader) inputSamples += reader.samples.length;
    inputs[name] = reader;
  }
  const outputs = await runWholeBlock(block, inputs, env, log);
  return { outputs, counters: { samplesComputed: inputSamples, samplesCached: 0 }, skipped: [] };
}

/** Runs a whole block's `run` over these inputs; returns its output digests. */
async function runWholeBlock(block: PlannedBlock, inputs: Record<string, SampleSetReader | FileSetReader>, env: ExecEnv, log: Logger): Promise<Record<string, string>> {
  const writers = Object.fromEntries(
    (Object.entries(block.block.outputs) as [string, ArtifactKind][]).map(([name, kind]) => [
      name,
      isSampleKind(kind) ? env.artifacts.sampleSetWriter(kind) : env.artifacts.fileSetWriter(kind),
    ]),
  );
  const scratchDir = await mkdtemp(join(env.layout.root, 'tmp-'));
  try {
    const ctx: BlockContext<never, never, never> = {
      params: block.params as never,
      inputs: inputs as never,
      outputs: writers as never,
      log,
      progress: (done, total, note) => env.onEvent({ type: 'progress', block: block.name, done, ...(total !== undefined ? { total } : {}), ...(note !== undefined ? { note } : {}) }),
      signal: env.signal,
      scratchDir,
      pipelineDir: env.pipelineDir,
      blockName: block.name,
    };
    if (block.block.granularity !== 'whole') throw new Error('unreachable');
    try {
      await block.block.run(ctx);
    } catch (error) {
      throw asBlockError(error, block);
    }
    env.signal.throwIfAborted();
    const outputs: Record<string, string> = {};
    for (const [name, writer] of Object.entries(writers)) outputs[name] = await writer.finish();
    return outputs;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * A `perSample` whole block (a DSP container): cached per input sample like a per-sample block,
 * but run once over all uncached samples (one container, batched requests). Its artifact meta
 * comes from the block's run (e.g. the server's output_config), so the output manifest of the
 * last run that computed anything is kept in the unit index as one more unit: a run with every
 * sample cached reads the meta from there and needs no container at all.
 */
async function runWholePerSample(block: PlannedBlock, baseKey: string, inputDigests: Record<string, string>, env: ExecEnv, log: Logger): Promise<Executed> {
  const [inputName, inputDigest] = Object.entries(inputDigests)[0]!;
  const outputEntry = Object.entries(block.block.outputs)[0] as [string, 'dataset' | 'features'];
  const input = await env.artifacts.getManifest(inputDigest);
  if (!isSampleSetManifest(input)) throw new TinyforgeError({ code: 'PLUGIN', block: block.name, message: 'a perSample block reads a dataset or features artifact' });
  // What the block may read besides each sample's own blob (how the artifact lays its axes out)
  // goes into the units' base once, so each unit costs one hash like a per-sample block's.
  const unitBase = hashRecord([baseKey, input.meta['axes'] ?? null, input.meta['frequency'] ?? null]);
  const units = input.samples.map((ref) => ({ key: unitKey(unitBase, ref.digest), ref }));
  const metaKey = unitKey(baseKey, 'per-sample-block-meta');

  const known = isForced(env, block.name) ? {} : await env.units.load(baseKey);
  const hits = new Map<string, SampleRef>();
  for (const u of units) {
    const hit = known[u.key];
    if (hit?.length === 1 && (!env.verify || (await allPresent(hit, env)))) hits.set(u.key, hit[0]!);
  }
  const metaHit = known[metaKey]?.[0];
  const metaManifest = metaHit && (await env.cas.has(metaHit.digest)) ? metaHit.digest : undefined;
  let misses = units.filter((u) => !hits.has(u.key));
  // Everything cached but the meta (an index from before it was kept): one sample brings it back.
  if (misses.length === 0 && !metaManifest && units.length > 0) misses = units.slice(0, 1);
  env.onEvent({ type: 'progress', block: block.name, done: units.length - misses.length, total: units.length });

  let blockMeta: JsonObject = {};
  const added: Record<string, SampleRef[]> = {};
  if (misses.length === 0) {
    // (No meta and no misses: an empty input, which the block never saw.)
    if (metaManifest) blockMeta = (await env.artifacts.getManifest(metaManifest)).meta;
  } else {
    const subset = await env.artifacts.putManifest({ ...input, samples: misses.map((u) => u.ref) });
    const outputs = await runWholeBlock(block, { [inputName]: (await env.artifacts.reader(subset)) as SampleSetReader }, env, log);
    const produced = await env.artifacts.getManifest(outputs[outputEntry[0]]!);
    if (!isSampleSetManifest(produced)) throw new Error('unreachable: a perSample block writes a sample set');
    const byId = new Map<string, SampleRef>();
    for (const ref of produced.samples) {
      if (byId.has(ref.id)) throw perSampleBreach(block, `it wrote two samples with the id "${ref.id}"`);
      byId.set(ref.id, ref);
    }
    for (const u of misses) {
      const ref = byId.get(u.ref.id);
      if (!ref) throw perSampleBreach(block, `it wrote no sample for input sample "${u.ref.id}"`);
      byId.delete(u.ref.id);
      hits.set(u.key, ref);
      added[u.key] = [ref];
    }
    if (byId.size > 0) throw perSampleBreach(block, `it wrote sample "${[...byId.keys()][0]}", which is not one of its input samples`);
    blockMeta = produced.meta;
  }

  const digest = await putSampleSet(env, outputEntry[1], blockMeta, units.map((u) => hits.get(u.key)!));
  if (misses.length > 0) {
    // The meta unit names this output manifest: it is uploaded to a remote cache with the action
    // (a partial manifest would not be), and garbage collection keeps it alive through the index.
    added[metaKey] = [{ id: 'per-sample-block-meta', label: null, category: 'train', digest }];
    await mergeUnits(env, baseKey, added);
  }
  return { outputs: { [outputEntry[0]]: digest }, counters: { samplesComputed: misses.length, samplesCached: units.length - misses.length }, skipped: [] };
}

function perSampleBreach(block: PlannedBlock, what: string): TinyforgeError {
  return new TinyforgeError({ code: 'PLUGIN', block: block.name, message: `${block.block.id} is declared perSample (one output sample per input sample, same id), but ${what}` });
}

async function runPerSample(
  block: PlannedBlock,
  baseKey: string,
  inputDigests: Record<string, string>,
  sourceFiles: ScannedFile[] | undefined,
  env: ExecEnv,
  log: Logger,
): Promise<Executed> {
  const outputEntry = Object.entries(block.block.outputs)[0] as [string, 'dataset' | 'features'];
  let units: { key: string; unit: WorkUnit; label: string }[];
  let inputMeta: JsonObject = {};
  if (sourceFiles) {
    units = sourceFiles.map((file) => ({
      key: unitKey(baseKey, hashRecord([file.relPath, file.digest])),
      unit: { kind: 'source', file: { path: file.path, relPath: file.relPath, digest: file.digest, size: file.size } },
      label: file.relPath,
    }));
  } else {
    const inputDigest = Object.values(inputDigests)[0]!;
    const reader = (await env.artifacts.reader(inputDigest)) as SampleSetReader;
    inputMeta = reader.meta;
    units = reader.samples.map((ref) => ({ key: unitKey(baseKey, ref.digest), unit: { kind: 'sample', digest: ref.digest, id: ref.id }, label: ref.id }));
  }

  const known = isForced(env, block.name) ? {} : await env.units.load(baseKey);
  const results = new Map<string, SampleRef[]>();
  const misses: typeof units = [];
  for (const u of units) {
    const hit = known[u.key];
    if (hit && (!env.verify || (await allPresent(hit, env)))) results.set(u.key, hit);
    else misses.push(u);
  }
  const total = units.length;
  let done = total - misses.length;
  env.onEvent({ type: 'progress', block: block.name, done, total });

  const failures: { unit: string; error: TinyforgeError }[] = [];
  // Finished units are published to the index as they come (every few seconds and at the end,
  // also when cancelled): a killed or interrupted run keeps every sample it completed.
  let pendingUnits: Record<string, SampleRef[]> = {};
  let lastFlush = performance.now();
  let flushing: Promise<void> = Promise.resolve();
  const flushUnits = () => {
    const batch = pendingUnits;
    pendingUnits = {};
    lastFlush = performance.now();
    if (Object.keys(batch).length === 0) return flushing;
    flushing = flushing.then(() => mergeUnits(env, baseKey, batch));
    return flushing;
  };
  const accept = (u: (typeof units)[number], outcome: UnitOutcome) => {
    if (outcome.ok) {
      results.set(u.key, outcome.refs);
      pendingUnits[u.key] = outcome.refs;
      if (performance.now() - lastFlush > UNIT_FLUSH_MS) void flushUnits();
    } else {
      failures.push({ unit: u.label, error: deserializeError(outcome.error) });
    }
    done++;
    env.onEvent({ type: 'progress', block: block.name, done, total });
  };

  try {
    if (misses.length > 0) {
      if (block.moduleUrl && misses.length >= env.poolThreshold) {
        const batchSize = Math.max(1, Math.min(64, Math.ceil(misses.length / (env.pool.threads * 8))));
        const batches: (typeof misses)[] = [];
        for (let i = 0; i < misses.length; i += batchSize) batches.push(misses.slice(i, i + batchSize));
        await Promise.all(
          batches.map(async (batch) => {
            const outcomes = await env.pool.run(
              { moduleUrl: block.moduleUrl!, baseKey, params: block.params, pipelineDir: env.pipelineDir, casDir: env.cas.dir, units: batch.map((b) => b.unit) },
              env.signal,
            );
            outcomes.forEach((o, i) => accept(batch[i]!, o));
          }),
        );
      } else {
        const b = block.block;
        const state = b.granularity === 'sample' && b.prepare ? b.prepare(block.params as never, { pipelineDir: env.pipelineDir }) : undefined;
        const ctx: SampleContext<never, unknown> = { params: block.params as never, state, pipelineDir: env.pipelineDir };
        for (const u of misses) {
          env.signal.throwIfAborted();
          accept(u, await computeUnit(block.block, ctx, u.unit, env.artifacts));
        }
      }
    }
  } finally {
    // Good units are remembered even when others failed or the run was cancelled.
    await flushUnits();
  }
  env.signal.throwIfAborted();

  const integrity = failures.find((f) => f.error.code === 'INTEGRITY');
  if (integrity) throw integrity.error;
  const skipped: Executed['skipped'] = [];
  if (failures.length > 0) {
    if (block.onBadSample === 'skip') {
      for (const f of failures) {
        skipped.push({ unit: f.unit, reason: f.error.format() });
        log.warn(`skipped ${f.unit}: ${f.error.message}`);
      }
    } else {
      throw failureSummary(block, failures, total);
    }
  }

  const samples: SampleRef[] = [];
  const ids = new Map<string, string>();
  for (const u of units) {
    for (const ref of results.get(u.key) ?? []) {
      const previous = ids.get(ref.id);
      if (previous !== undefined) {
        throw new TinyforgeError({ code: 'BAD_INPUT', block: block.name, message: `two samples have the id "${ref.id}" (from ${previous} and ${u.label})` });
      }
      ids.set(ref.id, u.label);
      samples.push(ref);
    }
  }
  const b = block.block;
  const blockMeta = (b.granularity === 'sample' && b.outputMeta ? b.outputMeta(block.params as never, inputMeta) : inputMeta) ?? {};
  const digest = await putSampleSet(env, outputEntry[1], blockMeta, samples);
  return { outputs: { [outputEntry[0]]: digest }, counters: { samplesComputed: misses.length, samplesCached: total - misses.length }, skipped };
}

/**
 * Stores a block's sample-set output. Every sample artifact states its labels and per-category
 * counts: cheap (from refs), and what learn blocks and reports need first.
 */
function putSampleSet(env: ExecEnv, kind: 'dataset' | 'features', blockMeta: JsonObject, samples: SampleRef[]): Promise<string> {
  const meta: JsonObject = { ...blockMeta, labels: sampleLabels(samples), counts: categoryCounts(samples) };
  const manifest: SampleSetManifest = { format: MANIFEST_FORMAT, kind, meta, samples };
  return env.artifacts.putManifest(manifest);
}

/** Adds unit results to a block configuration's per-sample index, under its lock. */
async function mergeUnits(env: ExecEnv, baseKey: string, added: Record<string, SampleRef[]>): Promise<void> {
  const release = await env.locks.acquire(`units-${baseKey}`);
  try {
    await env.units.merge(baseKey, added);
  } finally {
    await release();
  }
}

function sampleLabels(samples: readonly SampleRef[]): string[] {
  return [...new Set(samples.map((s) => s.label).filter((l): l is string => l !== null))].sort();
}

function categoryCounts(samples: readonly SampleRef[]): JsonObject {
  const counts: Record<string, number> = { train: 0, test: 0 };
  for (const s of samples) counts[s.category] = (counts[s.category] ?? 0) + 1;
  return counts;
}

async function allPresent(refs: SampleRef[], env: ExecEnv): Promise<boolean> {
  for (const ref of refs) if (!(await env.cas.has(ref.digest))) return false;
  return true;
}

function failureSummary(block: PlannedBlock, failures: { unit: string; error: TinyforgeError }[], total: number): TinyforgeError {
  const listed = failures.slice(0, MAX_LISTED_FAILURES).map((f) => `  - ${f.error.format()}`);
  if (failures.length > MAX_LISTED_FAILURES) listed.push(`  … and ${failures.length - MAX_LISTED_FAILURES} more`);
  const badInput = failures.every((f) => f.error.code === 'BAD_INPUT');
  return new TinyforgeError({
    code: badInput ? 'BAD_INPUT' : 'BLOCK_FAILED',
    block: block.name,
    message: `${failures.length} of ${total} sample(s) failed:\n${listed.join('\n')}`,
    hint: badInput ? `fix or remove them, or set onBadSample: 'skip' on block "${block.name}" to skip and report them` : undefined,
  });
}

function asBlockError(error: unknown, block: PlannedBlock): unknown {
  if (error instanceof TinyforgeError) {
    if (error.block) return error;
    return new TinyforgeError({ code: error.code, block: block.name, file: error.file, path: error.path, message: error.message, expected: error.expected, found: error.found, hint: error.hint, cause: error });
  }
  if ((error as Error)?.name === 'AbortError') return error;
  const err = error as Error;
  const wrapped = new TinyforgeError({ code: 'BLOCK_FAILED', block: block.name, message: `${block.block.id}@${block.block.version} failed: ${err?.message ?? String(error)}`, cause: error });
  if (err?.stack) wrapped.stack = err.stack;
  return wrapped;
}

function blockLogger(name: string, env: ExecEnv, lines: string[]): Logger {
  const emit = (level: 'info' | 'warn' | 'debug', message: string) => {
    lines.push(`[${level}] ${message}`);
    if (lines.length > MAX_KEPT_LOG_LINES * 2) lines.splice(0, lines.length - MAX_KEPT_LOG_LINES);
    env.onEvent({ type: 'log', block: name, level, message });
  };
  return { info: (m) => emit('info', m), warn: (m) => emit('warn', m), debug: (m) => emit('debug', m) };
}
