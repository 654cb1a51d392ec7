import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from './index.js';
import { classifierParams, checkClassifierParams } from './params.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from '../nn/rng.js';
import type { ModelIR } from '../ir/types.js';

/** 3 classes of [12 frames × 4 coefficients]: a bump in a class-specific frame range plus noise. */
function synthetic(n: number, seed: number, opts: { classes?: number; nanAt?: number } = {}): Sample[] {
  const rng = new Rng(seed);
  const classes = opts.classes ?? 3;
  return Array.from({ length: n }, (_, i) => {
    const c = i % classes;
    const values = new Float32Array(48).map((_, j) => rng.uniform(-1, 1) + (Math.floor(j / 4) >= 4 * c && Math.floor(j / 4) < 4 * c + 4 && j % 4 < 2 ? 2 : 0));
    if (i === opts.nanAt) values[5] = NaN;
    return { id: `s${i}`, label: `class${c}`, category: i % 5 === 0 ? 'test' : 'train', sensors: [], intervalMs: 0, values, shape: [12, 4], meta: { speaker: `spk${i % 17}` } } as Sample;
  });
}

async function runBlock(samples: Sample[], params: Record<string, unknown>) {
  const p = classifierParams.parse(params);
  const out = memoryWriter();
  const f = fakeContext(p, sampleReader(samples, { dsp: { block: 'dsp/test', params: { x: 1 } } }), out);
  await block.run(f.ctx as never);
  return { out, ...f };
}

describe('learn/classifier block', () => {
  it('trains, writes float32 + int8 IR, metrics and curves, and reports progress per epoch', async () => {
    const { out, progress } = await runBlock(synthetic(300, 1), { preset: 'ei-conv1d-audio', columns: 4, epochs: 12, learningRate: 0.01, validationGroupKey: 'speaker' });
    expect([...out.files.keys()].sort()).toEqual(['curves.json', 'golden.int8.json', 'ir.float32.json', 'ir.int8.json', 'metrics.json', 'spec.json', 'weights.float32.bin', 'weights.int8.bin']);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(progress[0]!.note).toMatch(/^loss \d\.\d{4} acc \d\.\d{4} val_loss \d\.\d{4} val_acc \d\.\d{4}$/);
    const curves = out.json('curves.json') as { epochs: { loss: number; val_loss: number }[] };
    expect(curves.epochs).toHaveLength(12);
    expect(curves.epochs[11]!.loss).toBeLessThan(curves.epochs[0]!.loss);
    const m = out.json('metrics.json') as { labels: string[]; float32: { test: { accuracy: number; confusion: number[][]; perClass: Record<string, { f1: number }> } }; int8: { test: { accuracy: number } } };
    expect(m.labels).toEqual(['class0', 'class1', 'class2']);
    expect(m.float32.test.accuracy).toBeGreaterThan(0.9);
    expect(m.int8.test.accuracy).toBeGreaterThan(0.9);
    expect(m.float32.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(Object.keys(m.float32.test.perClass)).toEqual(m.labels);
    const ir = out.json('ir.int8.json') as unknown as ModelIR;
    expect(ir.precision).toBe('int8');
    expect(ir.dsp).toEqual({ block: 'dsp/test', params: { x: 1 } });
    expect(ir.weightsBytes).toBe((out.files.get('weights.int8.bin') as Uint8Array).length);
    expect(out.meta['testAccuracyInt8']).toBeGreaterThan(90);
  });

  it('a fixed seed gives identical weights on re-run; another seed does not', async () => {
    const params = { preset: 'ei-dense-motion', epochs: 3, seed: 7 };
    const a = await runBlock(synthetic(120, 2), params);
    const b = await runBlock(synthetic(120, 2), params);
    const c = await runBlock(synthetic(120, 2), { ...params, seed: 8 });
    const bytes = (r: typeof a) => Buffer.from(r.out.files.get('weights.float32.bin') as Uint8Array);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    // The whole artifact is reproducible (no timings or clocks in it).
    for (const [name, data] of a.out.files) expect(Buffer.from(data).equals(Buffer.from(b.out.files.get(name)!)), name).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it('rejects bad input with clear TinyforgeErrors', async () => {
    const oneClass = synthetic(30, 3).map((s) => ({ ...s, label: 'only' }));
    await expect(runBlock(oneClass, { epochs: 1 })).rejects.toMatchObject({ name: 'TinyforgeError', message: expect.stringMatching(/at least 2 classes/) });
    await expect(runBlock(synthetic(30, 3, { nanAt: 7 }), { epochs: 1 })).rejects.toThrow(/sample s7 has a non-finite feature value/);
    const noTest = synthetic(30, 3).map((s) => ({ ...s, category: 'train' as const }));
    await expect(runBlock(noTest, { epochs: 1 })).rejects.toThrow(/test category is empty/);
    const noTrain = synthetic(30, 3).map((s) => ({ ...s, category: 'test' as const }));
    await expect(runBlock(noTrain, { epochs: 1 })).rejects.toThrow(/train category is empty/);
    await expect(runBlock(synthetic(30, 3), { epochs: 1, layers: [{ type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', activation: 'softmax' }] })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/layer 0 \(conv2d\) cannot take its input/),
    });
  });

  it('stops with CANCELLED when the run is aborted mid-training', async () => {
    const controller = new AbortController();
    const f = fakeContext(classifierParams.parse({ preset: 'ei-dense-motion', epochs: 50 }), sampleReader(synthetic(60, 4)), memoryWriter(), {
      signal: controller.signal,
      onProgress: (done) => done === 2 && controller.abort(),
    });
    await expect(block.run(f.ctx as never)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(f.progress).toHaveLength(2);
  });

  it('checkParams catches what params alone decide', () => {
    const both = classifierParams.parse({ preset: 'ei-dense-motion', layers: [{ type: 'dense', activation: 'softmax' }] });
    expect(checkClassifierParams(both).map((p) => p.path)).toEqual(['layers']);
    const noSoftmax = classifierParams.parse({ layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }] });
    expect(checkClassifierParams(noSoftmax)[0]!.message).toMatch(/must end in softmax/);
    expect(checkClassifierParams(classifierParams.parse({ preset: 'mlperf-ds-cnn' }))).toEqual([]);
    expect(classifierParams.safeParse({ learningRate: -1 }).success).toBe(false);
    expect(classifierParams.safeParse({ layers: [{ type: 'conv1d', filters: 0, kernelSize: 3 }] }).success).toBe(false);
  });
});
