import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, createSliceProject, runCli } from '../support/slice-project.js';

describe('tinyforge CLI basics', () => {
  test('the committed pipeline JSON Schema matches the zod schema (editors never drift)', async () => {
    const printed = await runCli(['schema']);
    expect(printed.code).toBe(0);
    const committed = readFileSync(join(REPO_ROOT, 'runner/schema/pipeline.schema.json'), 'utf8');
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(committed));
    expect(JSON.parse(committed).properties.blocks).toBeDefined();
  });

  test('blocks list shows built-ins and installed plugins with their source; info prints the params schema', async () => {
    const dir = createSliceProject();
    const list = await runCli(['blocks', 'list', '--json'], { cwd: dir });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; source: string }[];
    expect(rows.find((r) => r.id === 'dsp/mfcc')?.source).toBe('@tinyforge/blocks');
    expect(rows.find((r) => r.id === 'slice/scale')?.source).toBe('tinyforge-block-slice@1.0.0');
    const info = await runCli(['blocks', 'info', 'slice/scale@1'], { cwd: dir });
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout);
    expect(parsed.inputs).toEqual({ samples: 'dataset' });
    expect(parsed.params.properties.factor).toMatchObject({ type: 'number', default: 1 });
    const unknown = await runCli(['blocks', 'info', 'slice/scal'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean slice/scale');
  });

  test('a bad config exits 2 with one line per problem and no stack trace; a missing pipeline too', async () => {
    const dir = createSliceProject();
    writeFileSync(join(dir, 'pipeline.json'), JSON.stringify({ name: 'x', blocks: { a: { block: 'slice/nope@1' }, b: { block: 'slice/scale@1', params: { factor: '2' }, inputs: { samples: 'a' } } } }));
    const bad = await runCli(['run', dir]);
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: .*pipeline\.json: block "a": block: unknown block "slice\/nope"/);
    expect(bad.stderr).toMatch(/block "b": params\.factor: wrong type \(expected number, found string "2"\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(['run', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere: no such pipeline file or folder/);
    const usage = await runCli(['run', dir, '--set', 'factor=2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('expected <block>.<param>=<value>');
  });
});

describe('tinyforge cache', () => {
  test('gc removes what the last runs no longer reach and keeps what they do', async () => {
    const { runJson, block } = await import('../support/slice-project.js');
    const dir = createSliceProject();
    await runJson(dir, ['--set', 'scale.factor=5']);
    const current = await runJson(dir); // factor 2: the pipeline's own value
    const before = JSON.parse((await runCli(['cache', 'info', dir, '--json'])).stdout) as { blobs: number; actions: number };
    const gc = await runCli(['cache', 'gc', dir, '--json']);
    expect(gc.code).toBe(0);
    const removed = JSON.parse(gc.stdout) as { removedBlobs: number; removedActions: number };
    // The factor-5 scale and summary results are unreachable now; ingest is shared.
    expect(removed.removedActions).toBe(2);
    expect(removed.removedBlobs).toBeGreaterThan(10);
    const after = JSON.parse((await runCli(['cache', 'info', dir, '--json'])).stdout) as { blobs: number; actions: number };
    expect(after.actions).toBe(before.actions - 2);
    const rerun = await runJson(dir);
    expect(rerun.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
    expect(block(rerun.manifest, 'summary').outputs).toEqual(block(current.manifest, 'summary').outputs);
    // A run of the old config must recompute (its results were collected), and still be right.
    const old = await runJson(dir, ['--set', 'scale.factor=5']);
    expect(block(old.manifest, 'scale').status).toBe('ran');
  });
});

describe('generated docs', () => {
  test('docs/blocks.md is the current output of `tinyforge blocks docs` (the reference never drifts)', async () => {
    const printed = await runCli(['blocks', 'docs']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('## `dsp/mfcc@1`');
    expect(readFileSync(join(REPO_ROOT, 'docs/blocks.md'), 'utf8')).toBe(printed.stdout);
  });
});
