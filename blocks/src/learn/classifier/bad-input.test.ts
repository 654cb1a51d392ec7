import { describe, expect, it } from 'vitest';
import type { JsonObject, Sample, SampleSetReader } from '@tinyforge/sdk';
import block from './index.js';
import regressionBlock from '../regression/index.js';
import { checkRegressionParams, regressionParams } from '../regression/regression.js';
import { checkClassifierParams, classifierParams } from './params.js';
import spectralBlock from '../../dsp/spectral/index.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';

function sample(id: string, label: string, category: 'train' | 'test', values: number[]): Sample {
  return { id, label, category, sensors: [], intervalMs: 0, values: Float32Array.from(values) };
}

/** A features artifact whose meta is known but whose samples must not be read. */
function untouchable(meta: JsonObject): SampleSetReader {
  const fail = (): never => {
    throw new Error('a sample was read');
  };
  return { kind: 'features', digest: 'x', samples: [], meta, read: fail, [Symbol.asyncIterator]: fail } as unknown as SampleSetReader;
}

describe('learn blocks: bad input found early, with clear errors', () => {
  // The real spectral block's meta for 2 s windows of 3 axes at 50 Hz: [3, 13] (39 values).
  const spectralMeta = spectralBlock.outputMeta!(spectralBlock.params.parse({ 'filter-type': 'low', 'filter-cutoff': 12, 'fft-length': 32 }), { frequency: 50, frames: 100, axes: 3 });

  it('plan time: with a declared input shape, a reshape that cannot fold it is a param problem', () => {
    const p = classifierParams.parse({
      layers: [{ type: 'input', shape: [50, 12] }, { type: 'reshape', shape: [-1, 13] }, { type: 'conv1d', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', activation: 'softmax' }],
    });
    expect(checkClassifierParams(p)).toEqual([{ path: 'layers[1]', message: 'layer 1 (reshape) cannot take its input: 600 values do not fold into [-1, 13] (input shape [50, 12])' }]);
    const ok = classifierParams.parse({ layers: [{ type: 'input', shape: [50, 13] }, { type: 'conv1d', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', activation: 'softmax' }] });
    expect(checkClassifierParams(ok)).toEqual([]);
    const reg = regressionParams.parse({ layers: [{ type: 'input', shape: [39] }, { type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense' }] });
    expect(checkRegressionParams(reg).map((x) => x.path)).toEqual(['layers[1]']);
  });

  it('run start: layers that cannot take the DSP block’s announced shape fail before a sample is read', async () => {
    expect(spectralMeta['shape']).toEqual([3, 13]);
    // EI's conv1d preset folded into 7 columns: 39 values do not fold.
    const p = classifierParams.parse({ preset: 'ei-conv1d-audio', columns: 7 });
    await expect(block.run(fakeContext(p, untouchable(spectralMeta), memoryWriter()).ctx as never)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      path: 'layers[0]',
      message: expect.stringContaining('39 values do not fold into [-1, 7] (input shape [3, 13]); dsp/spectral-analysis outputs [3, 13] (39 values per sample)'),
    });
    const reg = regressionParams.parse({ layers: [{ type: 'reshape', shape: [-1, 10] }, { type: 'flatten' }, { type: 'dense' }] });
    await expect(regressionBlock.run(fakeContext(reg, untouchable(spectralMeta), memoryWriter()).ctx as never)).rejects.toMatchObject({ code: 'BAD_INPUT', path: 'layers[0]' });
    // The same shape with fitting layers goes on to read the samples.
    const fits = classifierParams.parse({ preset: 'ei-conv1d-audio', columns: 13 });
    await expect(block.run(fakeContext(fits, untouchable(spectralMeta), memoryWriter()).ctx as never)).rejects.toThrow('a sample was read');
  });

  it('classifier: one class, a test label never trained, unknown class weights', async () => {
    const run = (samples: Sample[], raw: object = {}) => block.run(fakeContext(classifierParams.parse({ epochs: 1, ...raw }), sampleReader(samples), memoryWriter()).ctx as never);
    const base = [sample('a', 'x', 'train', [0, 1]), sample('b', 'y', 'train', [1, 0]), sample('c', 'x', 'test', [0, 1])];
    await expect(run([sample('a', 'x', 'train', [0, 1]), sample('b', 'x', 'test', [1, 0])])).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'a classifier needs at least 2 classes in train, found 1 (x)' });
    await expect(run([...base, sample('d', 'z', 'test', [1, 1])])).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'test labels z have no training samples' });
    await expect(run(base, { classWeights: { x: 1, w: 2 } })).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'classWeights names unknown classes: w' });
    await expect(run([...base, sample('e', 'y', 'train', [1])])).rejects.toThrow(/sample e has 1 feature values, a has 2/);
    await expect(run([])).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'the features artifact has no samples' });
  });

  it('regression: NaN features, empty categories, non-numeric labels', async () => {
    const run = (samples: Sample[]) => regressionBlock.run(fakeContext(regressionParams.parse({ epochs: 1 }), sampleReader(samples), memoryWriter()).ctx as never);
    await expect(run([sample('a', '1', 'train', [0, 1]), sample('b', '2', 'test', [Infinity, 0])])).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'sample b has a non-finite feature value (Infinity) at index 0' });
    await expect(run([sample('a', '1', 'train', [0, 1])])).rejects.toThrow(/test category is empty/);
    await expect(run([sample('a', '1', 'test', [0, 1])])).rejects.toThrow(/train category is empty/);
  });
});
