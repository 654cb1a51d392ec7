import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createSliceProject, runCli, runJson, writeSampleCsv } from '../../../test/support/slice-project.js';
import type { RunManifest } from '../exec/run-pipeline.js';
import { diffRuns, formatRunDiff } from './run-diff.js';

describe('tinyforge diff', () => {
  test('names the changed param, the changed data and what changed only because upstream did', async () => {
    const dir = createSliceProject();
    writeFileSync(join(dir, '.gitignore'), '.tinyforge\nnode_modules\n');
    const first = await runJson(dir);
    writeSampleCsv(dir, 'wave', 77);
    const second = await runJson(dir, ['--set', 'scale.factor=3']);
    expect(second.result.code).toBe(0);

    const text = await runCli(['diff', 'last~1', 'last'], { cwd: dir });
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain('ingest  [ran]  changed');
    expect(lines).toContain('    params.factor: 2 → 3');
    expect(lines).toContain('    input samples: changed upstream (ingest)');
    expect(lines).toContain('    input samples: changed upstream (scale)');
    expect(text.stdout).toMatch(/data \(source files\): [0-9a-f]{12}… → [0-9a-f]{12}…/);
    expect(text.stdout).toMatch(/uncommitted files: \+ .*data\/wave\/wave\.00077\.csv/);

    const json = await runCli(['diff', 'last~1', 'last', '--json'], { cwd: dir });
    const diff = JSON.parse(json.stdout) as { blocks: { name: string; key: { path: string; before: unknown; after: unknown }[]; upstream: { input: string; from: string }[] }[] };
    const scale = diff.blocks.find((b) => b.name === 'scale')!;
    expect(scale.key).toEqual([{ path: 'params.factor', before: 2, after: 3 }]);
    expect(scale.upstream).toEqual([{ input: 'samples', from: 'ingest' }]);
    expect(diff.blocks.find((b) => b.name === 'ingest')!.key.map((k) => k.path)).toEqual(['inputs.sources']);

    // The same run twice: nothing but statuses to report.
    const third = await runJson(dir, ['--set', 'scale.factor=3']);
    const same = await runCli(['diff', 'last~1', 'last'], { cwd: dir });
    expect(same.stdout.split('\n').filter((l) => l.startsWith('    '))).toEqual([]);
    expect(same.stdout).toContain('scale  [ran → cached]  same key');
    void first;
    void third;
  });

  test('bad references are usage errors naming the runs folder', async () => {
    const dir = createSliceProject({ samplesPerLabel: 1 });
    await runJson(dir);
    const r = await runCli(['diff', 'last~5', 'last'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/there are 1 run\(s\) in .*runs; last~5 does not exist/);
  });

  test('metrics of model artifacts are compared leaf by leaf', async () => {
    const block = (model: string, key: string) => ({ name: 'classifier', block: 'learn/classifier', version: '1.0.0', actionKey: key, status: 'ran' as const, ms: 1, counters: { samplesComputed: 10, samplesCached: 0 }, outputs: { model } });
    const run = (model: string, key: string): RunManifest => ({ pipeline: 'kws', pipelineFile: 'p', tinyforgeVersion: '0', startedAt: '', ms: 1, ok: true, git: { commit: 'a', branch: 'main', dirty: false, dirtyFiles: [] }, blocks: [block(model, key)] });
    const metrics: Record<string, unknown> = {
      m1: { float32: { test: { accuracy: 0.8, loss: 0.5 } }, labels: ['a', 'b'], counts: { test: 68 } },
      m2: { float32: { test: { accuracy: 0.85, loss: 0.5 } }, labels: ['a', 'b', 'c'], counts: { test: 68 } },
    };
    const records: Record<string, object> = { k1: { params: { epochs: 30 } }, k2: { params: { epochs: 40 } } };
    const diff = await diffRuns(run('m1', 'k1'), run('m2', 'k2'), { keyRecord: async (k) => records[k] as never, metrics: async (d) => metrics[d] });
    expect(diff.blocks[0]!.metrics).toEqual([{ path: 'float32.test.accuracy', before: 0.8, after: 0.85 }]);
    expect(diff.blocks[0]!.key).toEqual([{ path: 'params.epochs', before: 30, after: 40 }]);
    expect(formatRunDiff(diff, { before: 'A', after: 'B' })).toContain('      float32.test.accuracy: 0.8000 → 0.8500 (+0.0500)');
  });
});
