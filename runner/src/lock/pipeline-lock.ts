import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isSourceBlock, type JsonObject } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import type { ParamOverride } from '../config/overrides.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline, type PlannedBlock } from '../plan/plan-pipeline.js';
import { hashFileInputs, scanSources, sourcesDigest } from '../exec/run-block.js';
import type { ExecEnv } from '../exec/exec-env.js';
import { findStateRoot } from '../store/open-store.js';
import { storeLayout } from '../store/layout.js';
import { StatCache } from '../store/stat-cache.js';
import { atomicWrite } from '../util/atomic-write.js';
import { PackageResolver } from './package-info.js';

export const LOCK_FILE_NAME = 'tinyforge.lock';
export const LOCKFILE_VERSION = 1;

export interface LockedBlock {
  /** id@version of the block this instance resolved to. */
  block: string;
  /** `name@version` of the package that provides it, or a path relative to the pipeline for local blocks. */
  package?: string;
  /** Source blocks: digest of the sorted `[relPath, digest]` list of data files, and their count. */
  sources?: { digest: string; files: number };
  /** Files a source block reads besides its samples (labels files), by name → digest. */
  sharedFiles?: Record<string, string>;
  /** Declared file/folder inputs (noise folders, tables) → content digest. */
  fileInputs?: Record<string, string>;
}

export interface PipelineLock {
  lockfileVersion: typeof LOCKFILE_VERSION;
  pipeline: string;
  blocks: Record<string, LockedBlock>;
  /** Packages that provide blocks, with npm integrity where the lockfile has it. */
  packages: Record<string, { version: string; integrity?: string }>;
}

/**
 * What a pipeline's results depend on that git does not show: block versions, the packages
 * behind them, and a digest per dataset (not one line per file), so a data change is a
 * two-line diff that Nx hashing and code review both see.
 */
export async function computeLock(target: string, options: { overrides?: readonly ParamOverride[]; env?: NodeJS.ProcessEnv } = {}): Promise<{ lock: PipelineLock; file: string }> {
  const pipeline = await loadPipeline(target, options.overrides ?? []);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const layout = storeLayout(findStateRoot(pipeline.dir, options.env ?? process.env));
  const statCache = await StatCache.open(layout.statCacheDir);
  const env = { pipelineDir: pipeline.dir, statCache } as unknown as ExecEnv;
  const packages = new PackageResolver(pipeline.dir);
  const lock: PipelineLock = { lockfileVersion: LOCKFILE_VERSION, pipeline: pipeline.config.name, blocks: {}, packages: {} };
  for (const block of plan.blocks) {
    const entry: LockedBlock = { block: `${block.block.id}@${block.block.version}` };
    const pkg = packageOf(block, packages, pipeline.dir);
    if (pkg) {
      entry.package = pkg.label;
      if (pkg.info) lock.packages[pkg.info.name] = { version: pkg.info.version, ...(pkg.info.integrity ? { integrity: pkg.info.integrity } : {}) };
    }
    if (isSourceBlock(block.block)) {
      const scanned = await scanSources(block, env);
      entry.sources = { digest: sourcesDigest(scanned.files), files: scanned.files.length };
      if (Object.keys(scanned.shared).length > 0) entry.sharedFiles = scanned.shared;
    }
    const fileInputs = await hashFileInputs(block, env);
    if (Object.keys(fileInputs).length > 0) entry.fileInputs = fileInputs;
    lock.blocks[block.name] = entry;
  }
  await statCache.save();
  return { lock, file: join(pipeline.dir, LOCK_FILE_NAME) };
}

function packageOf(block: PlannedBlock, packages: PackageResolver, pipelineDir: string): { label: string; info?: { name: string; version: string; integrity?: string } } | undefined {
  const info = block.moduleUrl ? packages.forModule(block.moduleUrl) : undefined;
  if (info && !isInside(block.moduleUrl!, pipelineDir)) return { label: `${info.name}@${info.version}`, info };
  if (block.source === '@tinyforge/blocks') return undefined;
  // A local block (./path in the pipeline): its path, relative and with forward slashes.
  const rel = relative(pipelineDir, block.source.startsWith('file:') ? new URL(block.source).pathname : block.source);
  return rel && !rel.startsWith('..') ? { label: `./${rel.split(sep).join('/')}` } : { label: block.source };
}

function isInside(moduleUrl: string, dir: string): boolean {
  const rel = relative(dir, new URL(moduleUrl).pathname);
  return !rel.startsWith('..') && !rel.includes('node_modules');
}

/** Pretty JSON with every object's keys sorted: the same lock always has the same bytes. */
export function formatLock(lock: PipelineLock): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as JsonObject)
        .sort()
        .map((k) => [k, sortKeys((value as JsonObject)[k])]),
    );
  }
  return value;
}

export async function readLock(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function writeLock(file: string, lock: PipelineLock): Promise<void> {
  await atomicWrite(file, formatLock(lock), { fsync: false });
}

/** Human lines for what changed between two locks (blocks added/removed/changed fields). */
export function describeLockChanges(before: PipelineLock | undefined, after: PipelineLock): string[] {
  if (!before) return ['new lock file'];
  const lines: string[] = [];
  const names = [...new Set([...Object.keys(before.blocks ?? {}), ...Object.keys(after.blocks)])].sort();
  for (const name of names) {
    const a = before.blocks?.[name];
    const b = after.blocks[name];
    if (!a) lines.push(`+ ${name}: ${b!.block}`);
    else if (!b) lines.push(`- ${name}: ${a.block}`);
    else {
      if (a.block !== b.block) lines.push(`~ ${name}: ${a.block} → ${b.block}`);
      if (a.package !== b.package) lines.push(`~ ${name}: package ${a.package ?? '(built-in)'} → ${b.package ?? '(built-in)'}`);
      if (a.sources?.digest !== b.sources?.digest) lines.push(`~ ${name}: data ${a.sources?.files ?? 0} → ${b.sources?.files ?? 0} files (${(a.sources?.digest ?? '').slice(0, 12) || 'none'} → ${(b.sources?.digest ?? '').slice(0, 12) || 'none'})`);
      if (JSON.stringify(sortKeys(a.sharedFiles ?? {})) !== JSON.stringify(sortKeys(b.sharedFiles ?? {}))) lines.push(`~ ${name}: shared files changed`);
      if (JSON.stringify(sortKeys(a.fileInputs ?? {})) !== JSON.stringify(sortKeys(b.fileInputs ?? {}))) lines.push(`~ ${name}: file inputs changed`);
    }
  }
  if (JSON.stringify(sortKeys(before.packages ?? {})) !== JSON.stringify(sortKeys(after.packages))) lines.push('~ packages changed');
  return lines;
}
