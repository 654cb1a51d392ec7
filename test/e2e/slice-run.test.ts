import { appendFileSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, block, createSliceProject, runCli, runJson, slicePipeline, startCli, writePipeline, writeSampleCsv } from '../support/slice-project.js';

describe('tinyforge run on the slice pipeline', () => {
  test('first run executes every block, the second is fully cached with the same outputs', async () => {
    const dir = createSliceProject();
    const first = await runJson(dir);
    expect(first.result.code).toBe(0);
    expect(first.manifest.blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran']);
    expect(block(first.manifest, 'ingest').counters).toEqual({ samplesComputed: 10, samplesCached: 0 });
    const second = await runJson(dir);
    expect(second.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(second.manifest.blocks.map((b) => b.actionKey)).toEqual(first.manifest.blocks.map((b) => b.actionKey));
    // The manifest is also kept on disk.
    const runs = readdirSync(join(dir, '.tinyforge/runs'));
    expect(runs.length).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, '.tinyforge/runs', runs.sort()[1]!), 'utf8')).blocks[0].status).toBe('cached');
  });

  test('adding one sample to 1,000 computes that one sample only, in every per-sample block', async () => {
    const dir = createSliceProject({ samplesPerLabel: 500 });
    const first = await runJson(dir);
    expect(first.result.code).toBe(0);
    expect(block(first.manifest, 'scale').counters.samplesComputed).toBe(1000);
    writeSampleCsv(dir, 'wave', 9999);
    const second = await runJson(dir);
    expect(second.result.code).toBe(0);
    expect(block(second.manifest, 'ingest').counters).toEqual({ samplesComputed: 1, samplesCached: 1000 });
    expect(block(second.manifest, 'scale').counters).toEqual({ samplesComputed: 1, samplesCached: 1000 });
    expect(block(second.manifest, 'summary').status).toBe('ran');
  });

  test('a param change re-runs that block and what depends on it, not what is upstream', async () => {
    const dir = createSliceProject();
    await runJson(dir);
    const changed = await runJson(dir, ['--set', 'scale.factor=3']);
    expect(changed.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'ran', 'ran']);
    // Back to the old value: everything is in the cache again.
    const back = await runJson(dir);
    expect(back.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
  });

  test("a local block's code is part of its key: editing it without a version bump re-runs it (status says why)", async () => {
    const dir = createSliceProject();
    // The user's own block in the repo, copied from the fixture plugin, referenced by path.
    const local = join(dir, 'blocks/my-scale.mjs');
    mkdirSync(join(dir, 'blocks'));
    cpSync(join(REPO_ROOT, 'test/fixtures/slice-plugin/scale.mjs'), local);
    const pipeline = slicePipeline() as { blocks: Record<string, { block: string }> };
    pipeline.blocks.scale!.block = './blocks/my-scale.mjs';
    writePipeline(dir, pipeline);
    const first = await runJson(dir);
    expect(first.manifest.blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran']);
    expect((await runJson(dir)).manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);

    writeFileSync(local, readFileSync(local, 'utf8').replace('* ctx.params.factor + ctx.params.offset', '* ctx.params.factor + ctx.params.offset + 1'));
    const status = await runCli(['status', dir]);
    expect(status.stdout).toMatch(/scale\s+will run: its code changed \(local block\)/);
    const edited = await runJson(dir);
    expect(edited.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'ran', 'ran']);
    expect(block(edited.manifest, 'scale').counters).toEqual({ samplesComputed: 10, samplesCached: 0 });
    expect(block(edited.manifest, 'scale').outputs).not.toEqual(block(first.manifest, 'scale').outputs);
  });

  test('--force re-executes all blocks; --force <block> only that one', async () => {
    const dir = createSliceProject();
    const first = await runJson(dir);
    const all = await runJson(dir, ['--force']);
    expect(all.manifest.blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran']);
    expect(block(all.manifest, 'scale').counters.samplesComputed).toBe(10);
    expect(all.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    const one = await runJson(dir, ['--force', 'scale']);
    // scale re-runs and makes the same output, so summary stays cached.
    expect(one.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'ran', 'cached']);
  });

  test('a copy of the project in another folder hits the same cache keys', async () => {
    const dir = createSliceProject();
    const first = await runJson(dir);
    const copy = join(mkdtempSync(join(tmpdir(), 'tinyforge-copy-')), 'moved');
    cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
    rmSync(join(copy, '.tinyforge'), { recursive: true });
    const moved = await runJson(copy);
    expect(moved.manifest.blocks.map((b) => b.actionKey)).toEqual(first.manifest.blocks.map((b) => b.actionKey));
    expect(moved.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
  });

  test('a failing sample fails the block listing every bad file; skip mode skips and reports them', async () => {
    const dir = createSliceProject();
    writeFileSync(join(dir, 'data/idle/bad1.csv'), 'x,y,z\n1,2\n');
    writeFileSync(join(dir, 'data/wave/bad2.csv'), 'x,y,z\n1,two,3\n');
    const failed = await runCli(['run', dir]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('2 of 12 sample(s) failed');
    expect(failed.stderr).toMatch(/bad1\.csv: row 2 has 2 fields, expected 3/);
    expect(failed.stderr).toMatch(/bad2\.csv: row 2, column "y": not a number/);
    expect(failed.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    const pipeline = slicePipeline();
    (pipeline.blocks as Record<string, Record<string, unknown>>).ingest!.onBadSample = 'skip';
    writePipeline(dir, pipeline);
    const skipped = await runJson(dir);
    expect(skipped.result.code).toBe(0);
    // The 10 good files were remembered by the failed run; only the 2 bad ones are tried again.
    expect(block(skipped.manifest, 'ingest').counters).toEqual({ samplesComputed: 2, samplesCached: 10 });
    expect((block(skipped.manifest, 'ingest') as unknown as { skippedSamples: unknown[] }).skippedSamples).toHaveLength(2);
  });
});

describe('tinyforge status', () => {
  test('explains what would run and why', async () => {
    const dir = createSliceProject();
    const never = await runCli(['status', dir]);
    expect(never.stdout).toMatch(/ingest\s+will run: never ran/);
    await runJson(dir);
    const clean = await runCli(['status', dir, '--json']);
    expect(JSON.parse(clean.stdout).blocks.map((b: { state: string }) => b.state)).toEqual(['cached', 'cached', 'cached']);

    writePipeline(dir, slicePipeline({ factor: 5 }));
    writeSampleCsv(dir, 'idle', 77);
    appendFileSync(join(dir, 'data/wave/wave.00001.csv'), '0.1,0.2,0.3\n');
    const status = await runCli(['status', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/ingest\s+will run: 1 file\(s\) added: idle\/idle\.00077\.csv; 1 file\(s\) changed: wave\/wave\.00001\.csv/);
    expect(status.stdout).toMatch(/scale\s+will run: its input comes from "ingest", which will run; param factor changed: 2 → 5/);
    expect(status.stdout).toMatch(/summary\s+will run: its input comes from "scale", which will run/);
  });
});
