import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createSliceProject, runCli, writeSampleCsv } from '../../../test/support/slice-project.js';
import { computeLock, describeLockChanges, formatLock } from './pipeline-lock.js';

describe('tinyforge lock', () => {
  test('records block versions, the providing package and one digest per dataset; stable bytes', async () => {
    const dir = createSliceProject({ samplesPerLabel: 4 });
    const { lock, file } = await computeLock(dir);
    expect(file).toBe(join(dir, 'tinyforge.lock'));
    expect(lock.blocks.ingest).toEqual({ block: 'slice/csv@1.0.0', package: 'tinyforge-block-slice@1.0.0', sources: { digest: expect.stringMatching(/^[0-9a-f]{64}$/), files: 8 } });
    expect(lock.blocks.scale).toEqual({ block: 'slice/scale@1.0.0', package: 'tinyforge-block-slice@1.0.0' });
    expect(lock.packages).toEqual({ 'tinyforge-block-slice': { version: '1.0.0' } });
    const text = formatLock(lock);
    expect(text.split('\n').length).toBeLessThan(40); // small: no per-file lines
    expect(formatLock((await computeLock(dir)).lock)).toBe(text);
    // The key order is sorted at every level, whatever order the pipeline lists blocks in.
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['blocks', 'lockfileVersion', 'packages', 'pipeline']);
  });

  test('one added file changes only the dataset digest and count; the CLI writes, then --check passes', async () => {
    const dir = createSliceProject({ samplesPerLabel: 3 });
    const written = await runCli(['lock', dir]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('new lock file');
    const before = readFileSync(join(dir, 'tinyforge.lock'), 'utf8');
    expect((await runCli(['lock', dir, '--check'])).code).toBe(0);

    writeSampleCsv(dir, 'wave', 42);
    const stale = await runCli(['lock', dir, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/out of date:\n\s+~ ingest: data 6 → 7 files/);
    expect(readFileSync(join(dir, 'tinyforge.lock'), 'utf8')).toBe(before); // --check writes nothing

    expect((await runCli(['lock', dir])).code).toBe(0);
    const after = readFileSync(join(dir, 'tinyforge.lock'), 'utf8');
    const changed = after.split('\n').filter((line, i) => line !== before.split('\n')[i]);
    expect(changed).toHaveLength(2);
    expect(changed[0]).toMatch(/"digest": "[0-9a-f]{64}"/);
    expect(changed[1]).toMatch(/"files": 7/);
  });

  test('the lock digest of a dataset is the ingest block key input: same data, same digest elsewhere', async () => {
    const a = createSliceProject({ samplesPerLabel: 2 });
    const b = createSliceProject({ samplesPerLabel: 2 });
    const la = (await computeLock(a)).lock;
    const lb = (await computeLock(b)).lock;
    expect(lb.blocks.ingest!.sources).toEqual(la.blocks.ingest!.sources);
    writeFileSync(join(b, 'data/idle/idle.00000.csv'), 'x,y,z\n9,9,9\n');
    const changed = (await computeLock(b)).lock;
    expect(changed.blocks.ingest!.sources!.files).toBe(4);
    expect(changed.blocks.ingest!.sources!.digest).not.toBe(la.blocks.ingest!.sources!.digest);
    expect(describeLockChanges(la, changed)).toEqual([`~ ingest: data 4 → 4 files (${la.blocks.ingest!.sources!.digest.slice(0, 12)} → ${changed.blocks.ingest!.sources!.digest.slice(0, 12)})`]);
  });
});
