import type { JsonObject } from '@tinyforge/sdk';
import type { ManifestBlock, RunManifest } from '../exec/run-pipeline.js';
import { diffJson, numericLeaves, type LeafChange } from './json-diff.js';

/** What the diff needs from the store, passed in so the diff itself is pure. */
export interface RunLookups {
  /** The key record an action key was hashed from (from the action cache), if still there. */
  keyRecord(actionKey: string): Promise<JsonObject | undefined>;
  /** Parsed `metrics.json` of a model artifact, if it has one and it is still there. */
  metrics(artifactDigest: string): Promise<unknown>;
}

export interface BlockDiff {
  name: string;
  block: { before?: string; after?: string };
  status: { before?: string; after?: string };
  sameKey: boolean;
  sameOutputs: boolean;
  /** Key record differences (params, block version, inputs, env, shared files). */
  key: LeafChange[];
  /** Input digests that changed because an upstream block's output changed. */
  upstream: { input: string; from: string }[];
  keyRecordMissing?: ('before' | 'after')[];
  metrics: { path: string; before?: number; after?: number }[];
  /** Samples the block produced or consumed (computed + cached), when that changed. */
  samples?: { before: number; after: number };
}

export interface RunDiff {
  pipeline: { before: string; after: string };
  /** Commit, branch, dirty flag changes. */
  git: LeafChange[];
  /** Uncommitted files (under the pipeline folder) in one run's tree and not the other's. */
  dirtyFiles: { added: string[]; removed: string[] };
  blocks: BlockDiff[];
}

export async function diffRuns(a: RunManifest, b: RunManifest, lookups: RunLookups): Promise<RunDiff> {
  const names = [...b.blocks.map((x) => x.name), ...a.blocks.map((x) => x.name).filter((n) => !b.blocks.some((x) => x.name === n))];
  const outputsA = outputIndex(a);
  const blocks: BlockDiff[] = [];
  for (const name of names) {
    const before = a.blocks.find((x) => x.name === name);
    const after = b.blocks.find((x) => x.name === name);
    blocks.push(await diffBlock(name, before, after, outputsA, outputIndex(b), lookups));
  }
  const dirtyA = new Set(a.git?.dirtyFiles ?? []);
  const dirtyB = new Set(b.git?.dirtyFiles ?? []);
  return {
    pipeline: { before: a.pipeline, after: b.pipeline },
    git: diffJson({ ...a.git, dirtyFiles: undefined }, { ...b.git, dirtyFiles: undefined }),
    dirtyFiles: { added: [...dirtyB].filter((f) => !dirtyA.has(f)).sort(), removed: [...dirtyA].filter((f) => !dirtyB.has(f)).sort() },
    blocks,
  };
}

/** Artifact digest → block that produced it, in one run. */
function outputIndex(run: RunManifest): Map<string, string> {
  const index = new Map<string, string>();
  for (const block of run.blocks) for (const digest of Object.values(block.outputs ?? {})) index.set(digest, block.name);
  return index;
}

async function diffBlock(name: string, before: ManifestBlock | undefined, after: ManifestBlock | undefined, outputsA: Map<string, string>, outputsB: Map<string, string>, lookups: RunLookups): Promise<BlockDiff> {
  const keyA = before?.actionKey ?? null;
  const keyB = after?.actionKey ?? null;
  const diff: BlockDiff = {
    name,
    block: { ...(before ? { before: `${before.block}@${before.version}` } : {}), ...(after ? { after: `${after.block}@${after.version}` } : {}) },
    status: { ...(before ? { before: before.status } : {}), ...(after ? { after: after.status } : {}) },
    sameKey: keyA !== null && keyA === keyB,
    sameOutputs: JSON.stringify(before?.outputs ?? {}) === JSON.stringify(after?.outputs ?? {}),
    key: [],
    upstream: [],
    metrics: [],
  };
  const count = (x: ManifestBlock) => x.counters.samplesComputed + x.counters.samplesCached;
  if (before && after && before.counters && after.counters && count(before) !== count(after)) diff.samples = { before: count(before), after: count(after) };
  if (keyA && keyB && keyA !== keyB) {
    const [recordA, recordB] = await Promise.all([lookups.keyRecord(keyA), lookups.keyRecord(keyB)]);
    const missing: ('before' | 'after')[] = [];
    if (!recordA) missing.push('before');
    if (!recordB) missing.push('after');
    if (missing.length > 0) diff.keyRecordMissing = missing;
    if (recordA && recordB) {
      for (const change of diffJson(recordA, recordB)) {
        // An input digest that is an upstream output in both runs: say which block changed it.
        const m = /^inputs\.(.+)$/.exec(change.path);
        const from = typeof change.after === 'string' ? outputsB.get(change.after) : undefined;
        if (m && from && typeof change.before === 'string' && outputsA.get(change.before) === from) diff.upstream.push({ input: m[1]!, from });
        else diff.key.push(change);
      }
    }
  }
  const modelA = before?.outputs?.model;
  const modelB = after?.outputs?.model;
  if (modelA && modelB && modelA !== modelB) {
    const [ma, mb] = await Promise.all([lookups.metrics(modelA), lookups.metrics(modelB)]);
    const la = numericLeaves(ma);
    const lb = numericLeaves(mb);
    for (const path of [...new Set([...Object.keys(la), ...Object.keys(lb)])].sort()) {
      if (la[path] !== lb[path]) diff.metrics.push({ path, ...(path in la ? { before: la[path] } : {}), ...(path in lb ? { after: lb[path] } : {}) });
    }
  }
  return diff;
}

/** Plain-text rendering: one header, a line per block, indented details under changed ones. */
export function formatRunDiff(diff: RunDiff, labels: { before: string; after: string }, maxMetrics = 40): string {
  const lines: string[] = [`${labels.before}  →  ${labels.after}`];
  if (diff.pipeline.before !== diff.pipeline.after) lines.push(`pipeline: ${diff.pipeline.before} → ${diff.pipeline.after}`);
  for (const g of diff.git) lines.push(`git.${g.path}: ${show(g.before)} → ${show(g.after)}`);
  const { added, removed } = diff.dirtyFiles;
  if (added.length + removed.length > 0) {
    const few = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? `, … (${xs.length})` : ''}`;
    lines.push(`uncommitted files: ${added.length ? `+ ${few(added)}` : ''}${added.length && removed.length ? '; ' : ''}${removed.length ? `- ${few(removed)}` : ''}`);
  }
  for (const b of diff.blocks) {
    const status = b.status.before === b.status.after ? b.status.after : `${b.status.before ?? '(absent)'} → ${b.status.after ?? '(absent)'}`;
    const verdict = !b.status.before ? 'added' : !b.status.after ? 'removed' : b.sameKey ? 'same key' : b.sameOutputs ? 'key changed, same outputs' : 'changed';
    lines.push(`${b.name}  [${status}]  ${verdict}`);
    if (b.block.before && b.block.after && b.block.before !== b.block.after) lines.push(`    block: ${b.block.before} → ${b.block.after}`);
    for (const c of b.key) lines.push(`    ${c.path === 'inputs.sources' ? 'data (source files)' : c.path}: ${show(c.before)} → ${show(c.after)}`);
    if (b.samples) lines.push(`    samples: ${b.samples.before} → ${b.samples.after}`);
    for (const u of b.upstream) lines.push(`    input ${u.input}: changed upstream (${u.from})`);
    if (b.keyRecordMissing) lines.push(`    (key record of the ${b.keyRecordMissing.join(' and ')} run is no longer in the cache)`);
    const metrics = b.metrics.slice(0, maxMetrics);
    if (metrics.length > 0) lines.push('    metrics:');
    for (const m of metrics) lines.push(`      ${m.path}: ${num(m.before)} → ${num(m.after)}${m.before !== undefined && m.after !== undefined ? ` (${signed(m.after - m.before)})` : ''}`);
    if (b.metrics.length > maxMetrics) lines.push(`      … and ${b.metrics.length - maxMetrics} more`);
  }
  return `${lines.join('\n')}\n`;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? (/^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 12)}…` : JSON.stringify(value)) : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

const num = (v: number | undefined) => (v === undefined ? '(none)' : Number.isInteger(v) ? String(v) : v.toFixed(4));
const signed = (v: number) => `${v >= 0 ? '+' : ''}${Number.isInteger(v) ? v : v.toFixed(4)}`;
