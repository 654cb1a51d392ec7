import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sample, SampleSetReader } from '@tinyforge/sdk';
import { findStateRoot, openStore } from '@tinyforge/runner';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(REPO_ROOT, 'runner/bin/tinyforge.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A throwaway project outside the repo, set up as a user's would be: a git repo, the runner's
 * packages and zod linked into node_modules, the slice block plugin installed as a package.
 */
export function createSliceProject(options: { samplesPerLabel?: number; labels?: string[]; pipeline?: Record<string, unknown> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-slice-'));
  execFileSync('git', ['init', '-q', dir]);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  symlinkSync(join(REPO_ROOT, 'node_modules/@tinyforge'), join(modules, '@tinyforge'));
  symlinkSync(join(REPO_ROOT, 'node_modules/zod'), join(modules, 'zod'));
  cpSync(join(REPO_ROOT, 'test/fixtures/slice-plugin'), join(modules, 'tinyforge-block-slice'), { recursive: true });
  const labels = options.labels ?? ['idle', 'wave'];
  for (const label of labels) {
    for (let i = 0; i < (options.samplesPerLabel ?? 5); i++) writeSampleCsv(dir, label, i);
  }
  writePipeline(dir, options.pipeline ?? slicePipeline());
  return dir;
}

export function slicePipeline(overrides: { factor?: number; delayMs?: number } = {}): Record<string, unknown> {
  return {
    name: 'slice',
    blocks: {
      ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } },
      scale: { block: 'slice/scale@1', params: { factor: overrides.factor ?? 2, delayMs: overrides.delayMs ?? 0 }, inputs: { samples: 'ingest' } },
      summary: { block: 'slice/summary@1', inputs: { samples: 'scale' } },
    },
  };
}

export function writePipeline(dir: string, pipeline: Record<string, unknown>): void {
  writeFileSync(join(dir, 'pipeline.json'), JSON.stringify(pipeline, null, 2));
}

/** Deterministic small CSV: 20 frames × 3 axes, values from the label and index. */
export function writeSampleCsv(dir: string, label: string, index: number, frames = 20): string {
  const folder = join(dir, 'data', label);
  mkdirSync(folder, { recursive: true });
  const rows = ['x,y,z'];
  const seed = label.length * 7 + index;
  for (let f = 0; f < frames; f++) rows.push([Math.sin(seed + f), Math.cos(seed * 0.5 + f), (seed % 5) * 0.1 + f * 0.01].map((v) => v.toFixed(5)).join(','));
  const file = join(folder, `${label}.${String(index).padStart(5, '0')}.csv`);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = startCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const env = { ...process.env, ...options.env };
  // A developer's own state folder or remote cache must not leak into tests.
  for (const name of Object.keys(env)) if (name.startsWith('TINYFORGE_')) delete env[name];
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CLI run in the background with stdout and stderr collected, for tests that act mid-run (kill, Ctrl-C). */
export function watchCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = startCli(args, options);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  /** Exit code; 128 when a signal ended it. */
  const exited = new Promise<number>((r) => child.on('close', (code, signal) => r(code ?? (signal ? 128 : -1))));
  return {
    child,
    exited,
    output: () => output,
    /** Polls `ready` every 100 ms until it holds or `ms` have passed (the caller asserts what it needs). */
    async waitFor(ready: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && !(await ready())) await new Promise((r) => setTimeout(r, 100));
    },
  };
}

export interface ManifestBlockJson {
  name: string;
  status: string;
  actionKey: string | null;
  outputs: Record<string, string>;
  counters: { samplesComputed: number; samplesCached: number };
  /** Block time of this run, ms. */
  ms: number;
  error?: string;
}
export interface ManifestJson {
  ok: boolean;
  blocks: ManifestBlockJson[];
  integrityRecovery?: string;
  git: { commit: string | null; dirty: boolean };
}

export async function runJson(dir: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ result: CliResult; manifest: ManifestJson }> {
  const result = await runCli(['run', dir, '--json', ...extra], env ? { env } : {});
  let manifest: ManifestJson;
  try {
    manifest = JSON.parse(result.stdout) as ManifestJson;
  } catch {
    throw new Error(`run did not print a manifest (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { result, manifest };
}

export function block(manifest: ManifestJson, name: string): ManifestBlockJson {
  const b = manifest.blocks.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name} in manifest`);
  return b;
}

/** A sample-set artifact of a project's store: its meta and every sample, in order. */
export async function readSampleSet(dir: string, digest: string): Promise<{ meta: SampleSetReader['meta']; samples: Sample[] }> {
  const store = await openStore(findStateRoot(dir), {});
  const reader = (await store.artifacts.reader(digest)) as SampleSetReader;
  const samples: Sample[] = [];
  for await (const s of reader) samples.push(s);
  return { meta: reader.meta, samples };
}
