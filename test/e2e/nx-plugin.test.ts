import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, REPO_ROOT, slicePipeline, writeSampleCsv } from '../support/slice-project.js';

const NX = join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js');
const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'false', FORCE_COLOR: '0' };

/**
 * A user's Nx workspace in a temp git repo: nx.json using @tinyforge/nx, two slice pipelines
 * whose data folders are gitignored (as big data is) and represented by committed lock files.
 */
function createWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-nx-'));
  git(dir, 'init', '-q', '-b', 'main');
  // Nx and the tinyforge packages come from the repo's node_modules, one link per entry, so the
  // slice block plugin can sit beside them.
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  cpSync(join(REPO_ROOT, 'test/fixtures/slice-plugin'), join(modules, 'tinyforge-block-slice'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nx-tinyforge-e2e', private: true }, null, 2));
  writeFileSync(join(dir, 'nx.json'), JSON.stringify({ plugins: [{ plugin: '@tinyforge/nx', options: { cli: `node ${CLI}` } }], defaultBase: 'main' }, null, 2));
  writeFileSync(join(dir, '.gitignore'), ['node_modules', '.nx', '.tinyforge', 'dist', 'pipelines/*/data', ''].join('\n'));
  for (const [name, labels] of [['alpha', ['idle', 'wave']], ['beta', ['rest', 'shake']]] as const) {
    const root = join(dir, 'pipelines', name);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'pipeline.json'), JSON.stringify({ ...slicePipeline(), name }, null, 2));
    for (const label of labels) for (let i = 0; i < 5; i++) writeSampleCsv(root, label, i);
    tinyforge(dir, 'lock', `pipelines/${name}`);
  }
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'two pipelines');
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
}

function tinyforge(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
}

function nx(dir: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [NX, ...args], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...NX_ENV };
  for (const name of ['TINYFORGE_HOME', 'TINYFORGE_CACHE_DIR', 'TINYFORGE_REMOTE_CACHE', 'NX_BASE', 'NX_HEAD']) delete env[name];
  return env;
}

interface RunJson {
  blocks: { name: string; status: string; counters: { samplesComputed: number; samplesCached: number } }[];
}
const runManifest = (dir: string, project: string) => JSON.parse(readFileSync(join(dir, 'dist/tinyforge', project, 'run.json'), 'utf8')) as RunJson;

describe('@tinyforge/nx in a real Nx workspace', () => {
  test(
    'a data change committed through tinyforge.lock affects that pipeline only, and re-runs only what depends on the data',
    async () => {
      const dir = createWorkspace();
      expect(JSON.parse(nx(dir, 'show', 'projects', '--json'))).toEqual(['alpha', 'beta']);
      const project = JSON.parse(nx(dir, 'show', 'project', 'beta', '--json')) as { root: string; targets: Record<string, { inputs?: unknown[]; outputs?: string[]; options?: { command?: string } }> };
      expect(project.root).toBe('pipelines/beta');
      expect(Object.keys(project.targets).sort()).toEqual(['deploy', 'run', 'test']);
      expect(project.targets.run!.inputs).toContain('{projectRoot}/tinyforge.lock');
      expect(project.targets.run!.outputs).toEqual(['{workspaceRoot}/dist/tinyforge/beta/run.json']);

      nx(dir, 'run-many', '-t', 'run');
      for (const p of ['alpha', 'beta']) expect(runManifest(dir, p).blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran']);
      const alphaBefore = readFileSync(join(dir, 'dist/tinyforge/alpha/run.json'), 'utf8');

      // New data alone is invisible to Nx: the folder is gitignored.
      writeSampleCsv(join(dir, 'pipelines/beta'), 'shake', 99);
      expect(JSON.parse(nx(dir, 'show', 'projects', '--affected', '--uncommitted', '--json'))).toEqual([]);
      // The lock turns it into a small committed change.
      const locked = tinyforge(dir, 'lock', 'pipelines/beta');
      expect(locked).toMatch(/~ ingest: data 10 → 11 files/);
      expect(git(dir, 'diff', '--numstat')).toMatch(/^2\t2\tpipelines\/beta\/tinyforge\.lock$/m);
      git(dir, 'add', '-A');
      git(dir, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'one more shake sample');

      expect(JSON.parse(nx(dir, 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json'))).toEqual(['beta']);
      const affected = nx(dir, 'affected', '-t', 'run', '--base=HEAD~1', '--head=HEAD');
      expect(affected).toContain('nx run beta:run');
      expect(affected).not.toContain('alpha:run');
      // Inside the pipeline, tinyforge redoes only the new sample and what reads it.
      const beta = runManifest(dir, 'beta');
      expect(beta.blocks.map((b) => [b.name, b.status, b.counters.samplesComputed, b.counters.samplesCached])).toEqual([
        ['ingest', 'ran', 1, 10],
        ['scale', 'ran', 1, 10],
        ['summary', 'ran', 11, 0],
      ]);
      expect(readFileSync(join(dir, 'dist/tinyforge/alpha/run.json'), 'utf8')).toBe(alphaBefore);
      // Same commit again: Nx's own cache answers, tinyforge is not even started.
      const again = nx(dir, 'affected', '-t', 'run', '--base=HEAD~1', '--head=HEAD');
      expect(again).toMatch(/existing outputs match the cache|local cache/);
    },
    300_000,
  );

  test('this repository is itself an Nx workspace: every committed pipeline is a project with run, test and deploy', { timeout: 120_000 }, () => {
    const pipelines = readdirSync(join(REPO_ROOT, 'pipelines'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(pipelines.length).toBeGreaterThanOrEqual(4);
    const projects = JSON.parse(nx(REPO_ROOT, 'show', 'projects', '--json')) as string[];
    for (const name of pipelines) expect(projects).toContain(name);
    const kws = JSON.parse(nx(REPO_ROOT, 'show', 'project', 'kws', '--json')) as { root: string; targets: Record<string, { options?: { command?: string } }> };
    expect(kws.root).toBe('pipelines/kws');
    expect(Object.keys(kws.targets)).toEqual(expect.arrayContaining(['run', 'test', 'deploy']));
    expect(kws.targets.run!.options!.command).toContain('node runner/bin/tinyforge.js run pipelines/kws');
  });
});
