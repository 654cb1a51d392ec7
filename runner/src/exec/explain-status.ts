import { isSourceBlock, pendingIdentityReason, type JsonObject, type JsonValue } from '@tinyforge/sdk';
import type { Plan } from '../plan/plan-pipeline.js';
import { findStateRoot, openStore } from '../store/open-store.js';
import { StatCache } from '../store/stat-cache.js';
import { canonicalJson } from '../util/canonical-json.js';
import { actionRecord, baseRecord, declaredEnv, keyOf } from './action-key.js';
import type { ExecEnv } from './exec-env.js';
import { readBlockState, type BlockState } from './run-state.js';
import { hashBlockCode, hashFileInputs, scanSources, sourcesDigest } from './run-block.js';

export interface BlockStatusReport {
  name: string;
  block: string;
  state: 'cached' | 'will-run';
  actionKey: string | null;
  /** Why it will run, one reason per change. Empty when cached. */
  reasons: string[];
}

/** What `tinyforge run` would do now and why, without running anything (like `dvc status`). */
export async function explainStatus(plan: Plan, processEnv: NodeJS.ProcessEnv = process.env): Promise<BlockStatusReport[]> {
  const store = await openStore(findStateRoot(plan.pipeline.dir, processEnv), processEnv);
  const statCache = await StatCache.open(store.layout.statCacheDir);
  const envValues = declaredEnv(plan.pipeline.config.env, processEnv);
  const scanEnv = { ...store, statCache, pipelineDir: plan.pipeline.dir } as unknown as ExecEnv;
  const known = new Map<string, Record<string, string>>(); // block → output digests, when cached
  const reports: BlockStatusReport[] = [];

  for (const block of plan.blocks) {
    const report: BlockStatusReport = { name: block.name, block: `${block.block.id}@${block.block.version}`, state: 'will-run', actionKey: null, reasons: [] };
    reports.push(report);
    // Read lazily: an ingest block's state holds its whole file list, needed only to explain a miss.
    let previousState: Promise<BlockState | undefined> | undefined;
    const previousOf = () => (previousState ??= readBlockState(store.layout.stateDir, plan.pipeline.config.name, block.name));
    const source = isSourceBlock(block.block) ? await scanSources(block, scanEnv) : undefined;
    const identity = await block.block.identity?.(block.params as never, { pipelineDir: plan.pipeline.dir, signal: new AbortController().signal, log: { info() {}, warn() {}, debug() {} }, dryRun: true });
    const base = baseRecord(block, envValues, { ...source?.shared, ...(await hashFileInputs(block, scanEnv)) }, identity, await hashBlockCode(block, scanEnv));
    const waiting = Object.values(block.inputs).filter((i) => !known.has(i.from)).map((i) => i.from);
    if (waiting.length > 0) {
      report.reasons.push(`its input comes from ${[...new Set(waiting)].map((w) => `"${w}"`).join(', ')}, which will run`);
      const before = (await previousOf())?.keyRecord;
      report.reasons.push(...(before ? diffRecords(before, base, { skipInputs: true }) : pendingReasons(identity)));
      continue;
    }
    const inputs = source
      ? { sources: sourcesDigest(source.files) }
      : Object.fromEntries(Object.entries(block.inputs).map(([name, i]) => [name, known.get(i.from)![i.output]!]));
    const record = actionRecord(base, inputs);
    const actionKey = keyOf(record);
    report.actionKey = actionKey;
    if (block.cache === 'never') {
      report.reasons.push('cache: never (runs every time)');
      continue;
    }
    const hit = await store.actionCache.get(actionKey);
    if (hit && (await Promise.all(Object.values(hit.outputs).map((d) => store.cas.has(d)))).every(Boolean)) {
      report.state = 'cached';
      known.set(block.name, hit.outputs);
      continue;
    }
    const previous = await previousOf();
    if (!previous) {
      report.reasons.push('never ran', ...pendingReasons(identity));
      continue;
    }
    const reasons = diffRecords(previous.keyRecord, record, {});
    if (source && previous.sources) reasons.push(...diffSources(previous.sources, Object.fromEntries(source.files.map((f) => [f.relPath, f.digest]))));
    else if (source && !previous.sources) reasons.push('source files changed');
    if (reasons.length === 0) reasons.push(previous.actionKey === actionKey ? 'its cache entry is gone (cache gc or a new machine)' : 'its key changed');
    report.reasons.push(...reasons);
  }
  await statCache.save();
  return reports;
}

/** What a dry-run identity says the run will have to do first (build or pull an image). */
function pendingReasons(identity: unknown): string[] {
  const reason = pendingIdentityReason(identity);
  return reason === undefined ? [] : [reason];
}

/** Human-readable differences between two key records. */
function diffRecords(before: JsonObject | undefined, after: JsonObject, opts: { skipInputs?: boolean }): string[] {
  if (!before) return [];
  const reasons: string[] = [];
  if (before.block !== after.block) reasons.push(`block version changed: ${String(before.block)} → ${String(after.block)}`);
  if (before.keyFormat !== after.keyFormat) reasons.push('the cache key format changed (tinyforge upgrade)');
  if (canonicalJson(before.identity ?? null) !== canonicalJson(after.identity ?? null)) {
    reasons.push(pendingIdentityReason(after.identity) ?? 'its implementation identity changed (e.g. a rebuilt container image)');
  }
  if (before.code !== after.code) reasons.push(before.code === undefined ? 'its code is now tracked (local block)' : 'its code changed (local block)');
  reasons.push(...diffObject('param', (before.params ?? {}) as JsonObject, (after.params ?? {}) as JsonObject));
  reasons.push(...diffObject('env', (before.env ?? {}) as JsonObject, (after.env ?? {}) as JsonObject));
  reasons.push(...diffObject('shared file', (before.sharedFiles ?? {}) as JsonObject, (after.sharedFiles ?? {}) as JsonObject, true));
  if (!opts.skipInputs && before.inputs && after.inputs) {
    const bi = before.inputs as JsonObject;
    const ai = after.inputs as JsonObject;
    for (const name of Object.keys(ai)) {
      if (name === 'sources') continue; // explained file by file
      if (bi[name] !== ai[name]) reasons.push(`input "${name}" changed (upstream output differs)`);
    }
  }
  return reasons;
}

function diffObject(what: string, before: JsonObject, after: JsonObject, digestsOnly = false): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = before[key];
    const a = after[key];
    if (canonicalJson(b ?? null) === canonicalJson(a ?? null)) continue;
    if (digestsOnly) out.push(`${what} ${key} ${b === undefined ? 'added' : a === undefined ? 'removed' : 'changed'}`);
    else out.push(`${what} ${key} changed: ${show(b)} → ${show(a)}`);
  }
  return out;
}

function show(value: JsonValue | undefined): string {
  if (value === undefined) return '(default)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function diffSources(before: Record<string, string>, after: Record<string, string>): string[] {
  const added = Object.keys(after).filter((f) => !(f in before));
  const removed = Object.keys(before).filter((f) => !(f in after));
  const changed = Object.keys(after).filter((f) => f in before && before[f] !== after[f]);
  const out: string[] = [];
  const list = (files: string[]) => `${files.slice(0, 3).join(', ')}${files.length > 3 ? `, … (${files.length})` : ''}`;
  if (added.length) out.push(`${added.length} file(s) added: ${list(added)}`);
  if (removed.length) out.push(`${removed.length} file(s) removed: ${list(removed)}`);
  if (changed.length) out.push(`${changed.length} file(s) changed: ${list(changed)}`);
  return out;
}
