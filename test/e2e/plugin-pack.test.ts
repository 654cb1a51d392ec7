import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../support/slice-project.js';

const exec = promisify(execFile);
const EXAMPLE = 'plugins/example-wavelet-denoise';

/** Workspace folders of the runner and every @tinyforge package it depends on, transitively. */
function runnerPackages(): string[] {
  const folders = ['plugins/sdk', 'blocks', 'runner', ...readdirSync(join(REPO_ROOT, 'targets')).map((t) => `targets/${t}`)];
  const byName = new Map<string, { dir: string; deps: string[] }>();
  for (const dir of folders) {
    try {
      const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
      byName.set(pkg.name, { dir, deps: Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@tinyforge/')) });
    } catch {
      // a folder without package.json is no package
    }
  }
  const out = new Set<string>();
  const visit = (name: string) => {
    const entry = byName.get(name);
    if (!entry) throw new Error(`${name} is not a workspace package`);
    if (out.has(entry.dir)) return;
    out.add(entry.dir);
    entry.deps.forEach(visit);
  };
  visit('@tinyforge/runner');
  return [...out];
}

/**
 * The example plugin as a user gets it: npm-packed with the SDK, blocks and runner, installed
 * into a fresh project outside the repo (npm cache first, the registry if the cache lacks a
 * dependency), listed by `tinyforge blocks list` and run in a typed pipeline.ts.
 */
const work = mkdtempSync(join(tmpdir(), 'tinyforge-pack-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function sh(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(cmd, args, { cwd, maxBuffer: 1 << 26, env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

async function tinyforge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(join(project, 'node_modules/.bin/tinyforge'), args, { cwd: project, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** 64 frames × 2 axes per file: a label-dependent signal plus deterministic high-frequency noise. */
function writeData(): void {
  for (const label of ['idle', 'wave']) {
    mkdirSync(join(project, 'data', label), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const rows = ['timestamp,x,y'];
      for (let f = 0; f < 64; f++) {
        const base = label === 'wave' ? Math.sin(f * 0.3 + i) : 0.1 * i;
        const noise = Math.sin(f * 12.9898 + i * 78.233) * 0.2;
        rows.push(`${f * 10},${(base + noise).toFixed(5)},${(base * 0.5 - noise).toFixed(5)}`);
      }
      writeFileSync(join(project, 'data', label, `${label}.${i}.csv`), `${rows.join('\n')}\n`);
    }
  }
}

const PIPELINE = `/// <reference types="@tinyforge/blocks" />
/// <reference types="tinyforge-block-wavelet-denoise" />
import { definePipeline } from '@tinyforge/sdk';

export default definePipeline({
  name: 'denoise-demo',
  blocks: {
    ingest: { block: 'ingest/files@1', params: { directory: 'data', extensions: ['.csv'] } },
    denoise: { block: 'example/wavelet-denoise@1', params: { levels: 2, mode: 'soft' }, inputs: { samples: 'ingest' } },
    features: { block: 'dsp/flatten@1', inputs: { samples: 'denoise' } },
  },
});
`;

beforeAll(async () => {
  // The packages packed below ship dist/, so build it first (the example builds in prepack).
  const packages = runnerPackages();
  await sh(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', ...packages], REPO_ROOT);
  mkdirSync(tarballs);
  for (const pkg of [...packages, EXAMPLE]) await sh('npm', ['pack', '--silent', '--pack-destination', tarballs], join(REPO_ROOT, pkg));
  mkdirSync(project);
  await sh('git', ['init', '-q'], project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'denoise-demo', private: true, type: 'module' }, null, 2));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  const install = ['install', '--no-audit', '--no-fund', ...files];
  try {
    await sh('npm', [...install, '--offline'], project);
  } catch (offline) {
    console.log(`npm install --offline failed (${(offline as Error).message.split('\n')[0]}); retrying with the registry`);
    await sh('npm', [...install, '--prefer-offline'], project);
  }
  writeData();
  writeFileSync(join(project, 'pipeline.ts'), PIPELINE);
}, 600_000);

interface Manifest {
  ok: boolean;
  blocks: { name: string; status: string; outputs: Record<string, string>; counters: { samplesComputed: number; samplesCached: number } }[];
}

describe('a packed third-party plugin in a fresh project', () => {
  test('installed packages hold what users need: the listing, types, no tests', () => {
    const pkgDir = join(project, 'node_modules/tinyforge-block-wavelet-denoise');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.tinyforge.blocks[0]).toMatchObject({ id: 'example/wavelet-denoise', module: './dist/src/index.js' });
    expect(readdirSync(join(pkgDir, 'dist/src')).sort()).toEqual(['haar.d.ts', 'haar.js', 'index.d.ts', 'index.js']);
    expect(readFileSync(join(pkgDir, 'dist/src/index.d.ts'), 'utf8')).toContain("'example/wavelet-denoise@1'");
    expect(readdirSync(join(project, 'node_modules/@tinyforge/sdk/dist/testing'))).toContain('index.js');
  });

  test('the installed type declarations check pipeline.ts params (the plugin augments BlockRegistry)', async () => {
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const options = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(REPO_ROOT, 'node_modules/@types'), '--pretty', 'false'];
    await sh(process.execPath, [tsc, ...options, 'pipeline.ts'], project);
    writeFileSync(join(project, 'wrong.ts'), PIPELINE.replace('levels: 2', "levels: '2'"));
    const wrong = await sh(process.execPath, [tsc, ...options, 'wrong.ts'], project).then(
      () => '',
      (e: Error) => e.message,
    );
    rmSync(join(project, 'wrong.ts'));
    expect(wrong).toMatch(/wrong\.ts\(9,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  test('tinyforge blocks list discovers it', async () => {
    const list = await tinyforge(['blocks', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; kind: string; source: string }[];
    expect(rows.find((r) => r.id === 'example/wavelet-denoise')).toMatchObject({ kind: 'transform', source: 'tinyforge-block-wavelet-denoise@1.0.0' });
    expect(rows.find((r) => r.id === 'dsp/flatten')?.source).toBe('@tinyforge/blocks');
  });

  test('it runs in a pipeline and writes what its kernel computes; a second run is cached', async () => {
    const first = await tinyforge(['run', '.', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const manifest = JSON.parse(first.stdout) as Manifest;
    expect(manifest.ok).toBe(true);
    const denoise = manifest.blocks.find((b) => b.name === 'denoise')!;
    expect(denoise.status).toBe('ran');
    expect(denoise.counters.samplesComputed).toBe(8);
    expect(manifest.blocks.find((b) => b.name === 'features')!.counters.samplesComputed).toBe(8);

    // Recompute every denoised sample from the stored input with the plugin's kernel.
    const { decodeSample } = (await import(pathToFileURL(join(REPO_ROOT, 'runner/dist/artifacts/sample-codec.js')).href)) as typeof import('../../runner/src/artifacts/sample-codec.js');
    const { haarDenoise } = (await import(pathToFileURL(join(REPO_ROOT, 'plugins/example-wavelet-denoise/dist/src/haar.js')).href)) as {
      haarDenoise: (s: Float32Array, o: { levels: number; threshold: 'universal' | number; mode: 'soft' | 'hard' }) => Float64Array;
    };
    const blob = (digest: string) => readFileSync(join(project, '.tinyforge/cache/cas', digest.slice(0, 2), digest));
    const samplesOf = (name: string) => {
      const m = JSON.parse(blob(manifest.blocks.find((b) => b.name === name)!.outputs.samples!).toString('utf8')) as { samples: { id: string; digest: string }[] };
      return new Map(m.samples.map((s) => [s.id, decodeSample(blob(s.digest))]));
    };
    const inputs = samplesOf('ingest');
    const outputs = samplesOf('denoise');
    expect(outputs.size).toBe(8);
    let changed = 0;
    for (const [id, input] of inputs) {
      const output = outputs.get(id)!;
      expect(output.values.length).toBe(128);
      for (let axis = 0; axis < 2; axis++) {
        const column = Float32Array.from({ length: 64 }, (_, f) => input.values[f * 2 + axis]!);
        const expected = haarDenoise(column, { levels: 2, threshold: 'universal', mode: 'soft' });
        for (let f = 0; f < 64; f++) {
          expect(Math.abs(output.values[f * 2 + axis]! - expected[f]!)).toBeLessThan(1e-6);
          if (Math.abs(output.values[f * 2 + axis]! - column[f]!) > 1e-3) changed++;
        }
      }
    }
    expect(changed).toBeGreaterThan(100);

    const second = await tinyforge(['run', '.', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as Manifest).blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
  });
});
