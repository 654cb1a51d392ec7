import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli } from '../support/slice-project.js';

/** A project outside the repo with the runner's packages linked, as a user's would have them installed. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-plugins-'));
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'node_modules/@tinyforge'), join(dir, 'node_modules/@tinyforge'));
  symlinkSync(join(REPO_ROOT, 'node_modules/zod'), join(dir, 'node_modules/zod'));
  return dir;
}

interface ProbeBlock {
  id: string;
  version?: string;
  apiVersion?: number;
}

/** A block plugin whose modules leave a marker file when imported. */
function writeBlockPlugin(project: string, name: string, blocks: ProbeBlock[], options: { keyword?: boolean } = {}): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  const listed = blocks.map((b, i) => {
    const module = `./block${i}.mjs`;
    writeFileSync(
      join(dir, module),
      `import { writeFileSync } from 'node:fs';
import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
writeFileSync(new URL('./block${i}.loaded', import.meta.url), 'imported');
export default defineBlock({
  id: ${JSON.stringify(b.id)}, version: ${JSON.stringify(b.version ?? '1.0.0')}, apiVersion: ${b.apiVersion ?? 1}, kind: 'transform',
  params: z.object({ gain: z.number().default(1) }),
  inputs: { samples: 'dataset' }, outputs: { samples: 'dataset' }, granularity: 'sample',
  runSample: (s, ctx) => ({ ...s, values: s.values.map((v) => v * ctx.params.gain) }),
});
`,
    );
    return { id: b.id, version: b.version ?? '1.0.0', kind: 'transform', description: `probe ${b.id}`, module };
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', keywords: options.keyword === false ? [] : ['tinyforge-block'], tinyforge: { blocks: listed } }, null, 2));
  return dir;
}

function writeTargetPlugin(project: string, name: string, target: { id: string; version?: string; apiVersion?: number }): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'target.mjs'),
    `import { writeFileSync } from 'node:fs';
import { defineTarget } from '@tinyforge/sdk';
import { z } from 'zod';
writeFileSync(new URL('./target.loaded', import.meta.url), 'imported');
export default defineTarget({
  id: ${JSON.stringify(target.id)}, version: ${JSON.stringify(target.version ?? '1.0.0')}, apiVersion: ${target.apiVersion ?? 1},
  description: 'probe target', params: z.object({ prefix: z.string().default('model') }),
  async emit(ctx) { await ctx.output.writeFile('model.h', '// ' + ctx.params.prefix); },
});
`,
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', keywords: ['tinyforge-target'], tinyforge: { targets: [{ id: target.id, version: target.version ?? '1.0.0', description: 'probe target', module: './target.mjs' }] } }, null, 2),
  );
  return dir;
}

const RECORD_LOADS = pathToFileURL(join(REPO_ROOT, 'test/fixtures/plugin-probe/record-loads.mjs')).href;

describe('plugin discovery', () => {
  test('listing blocks and targets imports no block or target module and no TensorFlow', async () => {
    const project = makeProject();
    const blockPlugin = writeBlockPlugin(project, 'tinyforge-block-probe', [{ id: 'probe/x' }]);
    const targetPlugin = writeTargetPlugin(project, '@acme/tinyforge-target-probe', { id: '@acme/probe' });
    writeBlockPlugin(project, 'tinyforge-block-nokeyword', [{ id: 'nokw/x' }], { keyword: false });
    const log = join(project, 'loads.log');
    const env = { NODE_OPTIONS: `--import=${RECORD_LOADS}`, TINYFORGE_LOAD_LOG: log };

    const list = await runCli(['blocks', 'list', '--json'], { cwd: project, env });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; source: string }[];
    expect(rows.find((r) => r.id === 'probe/x')?.source).toBe('tinyforge-block-probe@1.0.0');
    expect(rows.find((r) => r.id === 'dsp/mfcc')?.source).toBe('@tinyforge/blocks');
    expect(rows.some((r) => r.id === 'nokw/x')).toBe(false);
    const targets = await runCli(['targets', 'list', '--json'], { cwd: project, env });
    expect(targets.code).toBe(0);
    expect(JSON.parse(targets.stdout)).toEqual([{ id: '@acme/probe', version: '1.0.0', description: 'probe target', source: '@acme/tinyforge-target-probe@1.0.0' }]);

    const loaded = readFileSync(log, 'utf8').trim().split('\n');
    // The probe works: the CLI and the block registry were recorded.
    expect(loaded.some((u) => u.endsWith('/blocks/dist/registry.js'))).toBe(true);
    expect(loaded.filter((u) => u.includes('@tensorflow'))).toEqual([]);
    expect(loaded.filter((u) => /\/blocks\/dist\/(ingest|transform|dsp|learn)\/[^/]+\/index\.js$/.test(u))).toEqual([]);
    expect(loaded.filter((u) => u.includes('tinyforge-block-probe') || u.includes('tinyforge-target-probe'))).toEqual([]);
    expect(existsSync(join(blockPlugin, 'block0.loaded'))).toBe(false);
    expect(existsSync(join(targetPlugin, 'target.loaded'))).toBe(false);

    // Using them does import them (so the markers above can tell).
    const info = await runCli(['blocks', 'info', 'probe/x@1'], { cwd: project });
    expect(info.code).toBe(0);
    expect(existsSync(join(blockPlugin, 'block0.loaded'))).toBe(true);
    const targetInfo = await runCli(['targets', 'info', '@acme/probe'], { cwd: project });
    expect(targetInfo.code).toBe(0);
    expect(JSON.parse(targetInfo.stdout).params.properties.prefix).toMatchObject({ type: 'string', default: 'model' });
    expect(existsSync(join(targetPlugin, 'target.loaded'))).toBe(true);
  });

  test('a plugin written for another API version gets a message naming both versions', async () => {
    const project = makeProject();
    writeBlockPlugin(project, 'tinyforge-block-future', [{ id: 'future/x', apiVersion: 99 }]);
    writeBlockPlugin(project, 'tinyforge-block-past', [{ id: 'past/x', apiVersion: 0 }]);
    writeTargetPlugin(project, 'tinyforge-target-future', { id: 'future-target', apiVersion: 7 });

    const info = await runCli(['blocks', 'info', 'future/x@1'], { cwd: project });
    expect(info.code).toBe(2);
    expect(info.stderr).toContain('tinyforge-block-future@1.0.0: block future/x@1.0.0 was written for block API 99, but this runner supports API 1');
    expect(info.stderr).toContain('hint: upgrade @tinyforge/runner');
    expect(info.stderr).not.toMatch(/\n\s+at /);

    writeFileSync(join(project, 'pipeline.json'), JSON.stringify({ name: 'p', blocks: { ingest: { block: 'ingest/files@1', params: { directory: 'data' } }, old: { block: 'past/x@1', inputs: { samples: 'ingest' } } } }));
    const run = await runCli(['run', project], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('block past/x@1.0.0 was written for block API 0, but this runner supports API 1');
    expect(run.stderr).toContain('hint: upgrade the plugin');

    const target = await runCli(['targets', 'info', 'future-target'], { cwd: project });
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('tinyforge-target-future@1.0.0: target future-target@1.0.0 was written for target API 7, but this runner supports API 1');
  });

  test('two packages claiming one id@version is an error naming both; other versions may coexist', async () => {
    const project = makeProject();
    writeBlockPlugin(project, 'tinyforge-block-one', [{ id: 'dup/x', version: '1.0.0' }]);
    writeBlockPlugin(project, '@acme/tinyforge-block-two', [{ id: 'dup/x', version: '1.1.0' }]);
    const fine = await runCli(['blocks', 'list', '--json'], { cwd: project });
    expect(fine.code).toBe(0);
    expect((JSON.parse(fine.stdout) as { id: string; version: string }[]).filter((r) => r.id === 'dup/x').map((r) => r.version)).toEqual(['1.0.0', '1.1.0']);

    writeBlockPlugin(project, '@acme/tinyforge-block-three', [{ id: 'dup/x', version: '1.0.0' }]);
    const clash = await runCli(['blocks', 'list'], { cwd: project });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/block dup\/x@1\.0\.0 is provided by two packages: (tinyforge-block-one@1\.0\.0 and @acme\/tinyforge-block-three@1\.0\.0|@acme\/tinyforge-block-three@1\.0\.0 and tinyforge-block-one@1\.0\.0)/);

    writeTargetPlugin(project, 'tinyforge-target-a', { id: 'same' });
    writeTargetPlugin(project, 'tinyforge-target-b', { id: 'same' });
    const targets = await runCli(['targets', 'list'], { cwd: project });
    expect(targets.code).toBe(2);
    expect(targets.stderr).toContain('target same@1.0.0 is provided by two packages: tinyforge-target-a@1.0.0 and tinyforge-target-b@1.0.0');
  });
});
