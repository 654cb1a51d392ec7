import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { Sample } from '../artifacts.js';
import { defineBlock } from '../block.js';
import { defineTarget } from '../target.js';
import { assertClose, makeSample, memoryFileSet, memorySampleSet, runSampleBlock, runSourceBlock, runTarget, runWholeBlock } from './index.js';

let prepared = 0;
const scale = defineBlock({
  id: 'test/scale',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  params: z.object({ factor: z.number().default(2), dropBelow: z.number().optional(), lo: z.number().default(0), hi: z.number().default(1) }),
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  checkParams: (p) => (p.lo >= p.hi ? [{ path: 'lo', message: 'lo must be below hi' }] : []),
  prepare: (p) => {
    prepared++;
    return { factor: p.factor };
  },
  outputMeta: (p, meta) => ({ ...meta, scaledBy: p.factor }),
  runSample(sample, ctx) {
    if (ctx.params.dropBelow !== undefined && sample.values[0]! < ctx.params.dropBelow) return null;
    return { ...sample, values: sample.values.map((v) => v * ctx.state.factor) };
  },
});

function brokenBlock(run: (s: Sample) => Sample) {
  return defineBlock({ id: 'test/broken', version: '1.0.0', apiVersion: 1, kind: 'transform', params: z.object({}), inputs: { samples: 'dataset' }, outputs: { samples: 'dataset' }, granularity: 'sample', runSample: run });
}

describe('runSampleBlock', () => {
  test('parses params with defaults, prepares once, runs every sample, computes output meta', async () => {
    prepared = 0;
    const inputs = [makeSample({ id: 'a', values: [1, 2] }), makeSample({ id: 'b', values: [-3] }), makeSample({ id: 'c', values: [0.5] })];
    const result = await runSampleBlock(scale, inputs, { factor: 3, dropBelow: 0 }, { inputMeta: { frequency: 100 } });
    expect(prepared).toBe(1);
    expect(result.samples.map((s) => [s.id, Array.from(s.values)])).toEqual([['a', [3, 6]], ['c', [1.5]]]);
    expect(result.dropped).toEqual(['b']);
    expect(result.meta).toEqual({ frequency: 100, scaledBy: 3 });
    expect(result.params).toEqual({ factor: 3, dropBelow: 0, lo: 0, hi: 1 });
    expect(Array.from(inputs[0]!.values)).toEqual([1, 2]);
  });

  test('refuses bad, unknown and cross-field-invalid params, listing every problem', async () => {
    const one = [makeSample({ values: [1] })];
    await expect(runSampleBlock(scale, one, { factor: 'x' })).rejects.toThrow(/factor: .*expected number/i);
    await expect(runSampleBlock(scale, one, { facter: 2, lo: 5 })).rejects.toThrow(/facter: test\/scale has no param "facter"; lo: lo must be below hi/);
  });

  test('catches what the runner would refuse or cache wrongly', async () => {
    const one = [makeSample({ id: 's', values: [1, 2] })];
    await expect(runSampleBlock(brokenBlock((s) => { s.values[0] = 9; return s; }), one)).rejects.toThrow(/mutated its input/);
    let calls = 0;
    await expect(runSampleBlock(brokenBlock((s) => ({ ...s, values: new Float32Array([calls++]) })), one)).rejects.toThrow(/two runs gave different outputs/);
    await expect(runSampleBlock(brokenBlock((s) => ({ ...s, values: Float64Array.from(s.values) as unknown as Float32Array })), one)).rejects.toThrow(/values must be a Float32Array, found \[object Float64Array\]/);
    await expect(runSampleBlock(brokenBlock((s) => ({ ...s, shape: [3, 1] })), one)).rejects.toThrow(/shape \[3, 1\] does not match 2 values/);
    await expect(runSampleBlock(brokenBlock((s) => ({ ...s, meta: { when: new Date() as never } })), one)).rejects.toThrow(/meta must be plain JSON; when is \[object Date\]/);
  });
});

describe('runSourceBlock and runWholeBlock', () => {
  test('an ingest block reads in-memory files', async () => {
    const lines = defineBlock({
      id: 'test/lines', version: '1.0.0', apiVersion: 1, kind: 'ingest', params: z.object({ directory: z.string() }), inputs: {}, outputs: { samples: 'dataset' }, granularity: 'sample',
      sources: (p) => ({ root: p.directory }),
      readSource: (file, content) => content.toString('utf8').trim().split('\n').map((line, i) => makeSample({ id: `${file.relPath}#${i}`, label: file.relPath.split('/')[0]!, values: line.split(',').map(Number) })),
    });
    const samples = await runSourceBlock(lines, [{ relPath: 'up/a.csv', content: '1,2\n3,4\n' }], { directory: 'data' });
    expect(samples.map((s) => [s.id, s.label, Array.from(s.values)])).toEqual([['up/a.csv#0', 'up', [1, 2]], ['up/a.csv#1', 'up', [3, 4]]]);
  });

  test('a whole block reads readers, writes in-memory artifacts, logs; its scratch folder is removed', async () => {
    let scratch = '';
    const means = defineBlock({
      id: 'test/means', version: '1.0.0', apiVersion: 1, kind: 'learn', params: z.object({ name: z.string().default('means.json') }), inputs: { features: 'features' }, outputs: { model: 'model' }, granularity: 'whole',
      async run(ctx) {
        scratch = ctx.scratchDir;
        expect(existsSync(scratch)).toBe(true);
        const sums: Record<string, number> = {};
        for await (const s of ctx.inputs.features) sums[s.label!] = (sums[s.label!] ?? 0) + s.values[0]!;
        ctx.log.info(`${Object.keys(sums).length} labels`);
        ctx.progress(1, 1);
        await ctx.outputs.model.writeJson(ctx.params.name, sums);
        ctx.outputs.model.setMeta({ labels: Object.keys(sums) });
      },
    });
    const features = memorySampleSet([makeSample({ id: '1', label: 'a', values: [1] }), makeSample({ id: '2', label: 'a', values: [2] }), makeSample({ id: '3', label: 'b', values: [5] })], {}, 'features');
    const { outputs, logs, progress } = await runWholeBlock(means, { features }, {});
    expect(JSON.parse(outputs.model.files.get('means.json')!.toString())).toEqual({ a: 3, b: 5 });
    expect(outputs.model.meta).toEqual({ labels: ['a', 'b'] });
    expect(logs).toEqual([{ level: 'info', message: '2 labels' }]);
    expect(progress).toEqual([{ done: 1, total: 1 }]);
    expect(existsSync(scratch)).toBe(false);
    await expect(runWholeBlock(means, { features: memoryFileSet({}) } as never, {})).rejects.toThrow(/input "features" needs features, given model/);
  });
});

describe('targets', () => {
  test('defineTarget checks the declaration; runTarget collects the files emit writes', async () => {
    expect(() => defineTarget({ id: 'Bad Id', version: '1', apiVersion: 1, params: z.object({}), emit: async () => {} })).toThrow(/id must look like.*version must be semver/);
    const header = defineTarget({
      id: 'test-header', version: '1.0.0', apiVersion: 1, params: z.object({ name: z.string().default('model') }),
      async emit(ctx) {
        const bytes = await ctx.model.readFile('model.bin');
        await ctx.output.writeFile(`include/${ctx.params.name}.h`, `// ${bytes.length} bytes, dsp: ${ctx.dsp.map((d) => d.name).join(',')}\n`);
        ctx.log.info('done');
      },
    });
    const out = await runTarget(header, { model: memoryFileSet({ 'model.bin': new Uint8Array(7) }), dsp: [{ name: 'mfcc', block: scale, params: {}, outputMeta: {} }] }, { name: 'kws' });
    expect(out.files.get('include/kws.h')!.toString()).toBe('// 7 bytes, dsp: mfcc\n');
    const escaping = defineTarget({ id: 'escape', version: '1.0.0', apiVersion: 1, params: z.object({}), emit: (ctx) => ctx.output.writeFile('../x.h', '') });
    await expect(runTarget(escaping, { model: memoryFileSet({}) })).rejects.toThrow(/stay inside the folder/);
  });
});

test('assertClose names the first element out of tolerance', () => {
  expect(() => assertClose([1, 2, 3], [1, 2.1, 3], 1e-3, 'mfcc')).toThrow('mfcc[1]: 2, expected 2.1 (tolerance 0.001)');
  expect(() => assertClose([1], [1, 2])).toThrow('length 1, expected 2');
  assertClose(new Float32Array([0.1]), [0.1], 1e-6);
});
