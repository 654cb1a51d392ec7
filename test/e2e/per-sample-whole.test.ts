/**
 * A whole block declared `perSample` (what container DSP blocks are): the runner caches it per
 * input sample and hands `run` only the samples it has not computed; the artifact meta the block
 * set survives runs that compute nothing. No Docker here: a local block stands in for the
 * container (dsp-block.test.ts checks the same with a real engine and an Edge Impulse server).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findStateRoot, openStore } from '@tinyforge/runner';
import { block, createSliceProject, readSampleSet, runCli, runJson, writePipeline, writeSampleCsv } from '../support/slice-project.js';
import { perSamplePipeline as pipeline, writeSumBlock } from '../support/per-sample-block.js';

describe('perSample whole blocks', () => {
  test('only new samples reach run(); removals and unchanged inputs run nothing; meta and order hold', async () => {
    const dir = createSliceProject({ samplesPerLabel: 4 });
    writeSumBlock(dir);
    writePipeline(dir, pipeline());
    const first = await runJson(dir);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(block(first.manifest, 'sum').counters).toEqual({ samplesComputed: 8, samplesCached: 0 });

    writeSampleCsv(dir, 'idle', 4);
    writeSampleCsv(dir, 'wave', 9);
    const added = await runJson(dir);
    expect(block(added.manifest, 'sum').counters).toEqual({ samplesComputed: 2, samplesCached: 8 });
    const got = await readSampleSet(dir, block(added.manifest, 'sum').outputs.features!);
    const ingest = await readSampleSet(dir, block(added.manifest, 'ingest').outputs.samples!);
    expect(got.samples.map((s) => s.id)).toEqual(ingest.samples.map((s) => s.id));
    got.samples.forEach((s, i) => expect(s.values[0]).toBeCloseTo(ingest.samples[i]!.values.reduce((a, v) => a + v, 0), 3));
    expect(got.meta).toMatchObject({ note: 'set by run', shape: [1], labels: ['idle', 'wave'] });

    // All of it afresh: the same artifact.
    const forced = await runJson(dir, ['--force', 'sum']);
    expect(block(forced.manifest, 'sum').counters).toEqual({ samplesComputed: 10, samplesCached: 0 });
    expect(block(forced.manifest, 'sum').outputs).toEqual(block(added.manifest, 'sum').outputs);

    // A new input (one sample fewer) whose every sample is cached: run() is not called at all.
    rmSync(join(dir, 'data/wave/wave.00001.csv'));
    const removed = await runJson(dir);
    expect([block(removed.manifest, 'sum').status, block(removed.manifest, 'sum').counters]).toEqual(['ran', { samplesComputed: 0, samplesCached: 9 }]);
    const store = await openStore(findStateRoot(dir), {});
    expect((await store.actionCache.get(block(removed.manifest, 'sum').actionKey!))?.logs.join('\n')).not.toContain('computed');
    const left = await readSampleSet(dir, block(removed.manifest, 'sum').outputs.features!);
    expect(left.samples.map((s) => s.id)).not.toContain('wave/wave.00001.csv');
    expect(left.meta).toMatchObject({ note: 'set by run', counts: { train: expect.any(Number), test: expect.any(Number) } });

    writePipeline(dir, pipeline({ scale: 2 }));
    expect(block((await runJson(dir)).manifest, 'sum').counters).toEqual({ samplesComputed: 9, samplesCached: 0 });
  });

  test('a block that breaks the one-sample-per-input contract fails naming the sample', async () => {
    const dir = createSliceProject({ samplesPerLabel: 2 });
    writeSumBlock(dir);
    const cases: [string, RegExp][] = [
      ['drop', /declared perSample .* but it wrote no sample for input sample "idle\/idle\.00000\.csv"/],
      ['rename', /but it wrote no sample for input sample "idle\/idle\.00000\.csv"/],
      // (the sample-set writer itself refuses a second sample with one id)
      ['twice', /two output samples share the id "idle\/idle\.00000\.csv"/],
    ];
    for (const [mode, message] of cases) {
      writePipeline(dir, pipeline({ mode }));
      const run = await runCli(['run', dir]);
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    writePipeline(dir, pipeline());
    const ok = await runJson(dir);
    expect(block(ok.manifest, 'sum').counters).toEqual({ samplesComputed: 4, samplesCached: 0 });
  });

  test('perSample needs one sample-set input and output (checked when the block loads)', async () => {
    const dir = createSliceProject({ samplesPerLabel: 1 });
    mkdirSync(join(dir, 'blocks'), { recursive: true });
    writeFileSync(
      join(dir, 'blocks/bad.mjs'),
      `import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
export default defineBlock({ id: 'local/bad', version: '1.0.0', apiVersion: 1, kind: 'learn', params: z.object({}),
  inputs: { samples: 'dataset' }, outputs: { model: 'model' }, granularity: 'whole', perSample: true, run: async () => {} });
`,
    );
    writePipeline(dir, { name: 'bad', blocks: { ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } }, bad: { block: './blocks/bad.mjs', inputs: { samples: 'ingest' } } } });
    const run = await runCli(['run', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/a perSample block has exactly one dataset\/features input and one dataset\/features output/);
  });
});
