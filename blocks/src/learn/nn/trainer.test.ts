import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from '../classifier/index.js';
import regressionBlock from '../regression/index.js';
import { classifierParams } from '../classifier/params.js';
import { trainClassifier, type FeatureRow } from '../classifier/classifier.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from './rng.js';
import { installedTfjsNodeVersion, resolveTrainer, trainerIdentity, TFJS_NODE } from './trainer.js';

const missing = async (): Promise<never> => {
  throw Object.assign(new Error(`Cannot find package '${TFJS_NODE}'`), { code: 'ERR_MODULE_NOT_FOUND' });
};

/** Three separable classes of 8 features. */
function rows(n: number, seed: number): FeatureRow[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    return { id: `r${i}`, label: `c${c}`, category: i % 5 === 0 ? 'test' : 'train', values: Float32Array.from({ length: 8 }, (_, j) => rng.uniform(-1, 1) + (j % 3 === c ? 2 : 0)), group: null };
  });
}

describe('training backend: optional @tensorflow/tfjs-node, else the engine', () => {
  it('falls back to the engine when tfjs-node is missing or fails to load; "tfjs-node" forced fails clearly', async () => {
    expect(await resolveTrainer(undefined, missing)).toMatchObject({ kind: 'engine', note: `training backend: tinyforge engine (${TFJS_NODE} not installed)` });
    const broken = async (): Promise<never> => {
      throw new Error('libtensorflow.so.2: cannot open shared object file\n  at ...');
    };
    expect((await resolveTrainer('auto', broken)).note).toBe(`training backend: tinyforge engine (${TFJS_NODE} failed to load: libtensorflow.so.2: cannot open shared object file)`);
    let asked = false;
    expect(await resolveTrainer('engine', async () => ((asked = true), {}))).toMatchObject({ kind: 'engine', note: 'training backend: tinyforge engine (trainer: engine)' });
    expect(asked).toBe(false);
    await expect(resolveTrainer('tfjs-node', missing)).rejects.toMatchObject({ code: 'BAD_INPUT', path: 'trainer', message: `trainer "tfjs-node" asked for, but ${TFJS_NODE} is not installed` });
  });

  it.skipIf(installedTfjsNodeVersion() !== null)('this machine has no tfjs-node: the real import fails, the block trains on the engine and says so; the key is unchanged', async () => {
    console.log(`${TFJS_NODE} is not installed here (expected: it downloads libtensorflow); checking the fallback`);
    expect(trainerIdentity(undefined)).toBeUndefined();
    expect(await regressionBlock.identity!({} as never, {} as never)).toBeUndefined();
    const samples: Sample[] = rows(90, 1).map((r) => ({ ...r, sensors: [], intervalMs: 0 }));
    const out = memoryWriter();
    const f = fakeContext(classifierParams.parse({ preset: 'ei-dense-motion', epochs: 2 }), sampleReader(samples), out);
    await block.run(f.ctx as never);
    expect(f.logs).toContain(`training backend: tinyforge engine (${TFJS_NODE} not installed)`);
    expect(out.files.has('ir.int8.json')).toBe(true);
  });

  it('the tfjs path trains through the same block code (here with @tensorflow/tfjs CPU standing in for tfjs-node)', { timeout: 60_000 }, async () => {
    const tfjs = async (specifier: string): Promise<unknown> => {
      expect(specifier).toBe(TFJS_NODE);
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      return tf;
    };
    const p = classifierParams.parse({ preset: 'ei-dense-motion', epochs: 15, learningRate: 0.01, validationSplit: 0.2, earlyStopping: { patience: 3 } });
    const logs: string[] = [];
    const viaTf = await trainClassifier(rows(300, 2), p, null, { importModule: tfjs, info: (m) => logs.push(m) });
    expect(logs).toContain(`training backend: ${TFJS_NODE} (TensorFlow backend "cpu")`);
    const curves = viaTf.training.curves;
    expect(curves.length).toBeGreaterThanOrEqual(4);
    expect(curves[0]!.val_loss).not.toBeNull();
    expect(curves[curves.length - 1]!.loss).toBeLessThan(curves[0]!.loss);
    // Weights came back into the engine network: its float and int8 IR classify the test split.
    expect(viaTf.metrics.float32.test.accuracy).toBeGreaterThan(0.9);
    expect(viaTf.metrics.int8!.test.accuracy).toBeGreaterThan(0.9);
    const viaEngine = await trainClassifier(rows(300, 2), p, null, { importModule: missing });
    expect(Buffer.from(viaTf.float.bin).equals(Buffer.from(viaEngine.float.bin))).toBe(false);
  });
});
