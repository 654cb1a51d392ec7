import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { lowerToFloatIr } from '@tinyforge/blocks/learn/ir/lower';
import { quantizeModel } from '@tinyforge/blocks/learn/ir/quantize';
import { buildNetwork } from '@tinyforge/blocks/learn/nn/network';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { parseLayers, presetLayers, type LayerSpecInput } from '@tinyforge/blocks/learn/nn/spec';
import { train, trainingSchema } from '@tinyforge/blocks/learn/nn/train';

/** Test and benchmark models: built with the real trainer/lowering/quantizer, small and seeded. */

export interface TestModel {
  name: string;
  float: IrModel;
  int8: IrModel;
  /** Float feature vectors (calibration set and test inputs). */
  samples: Float32Array[];
}

function randomSamples(rng: Rng, n: number, size: number, scale: number, offset = 0): Float32Array[] {
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => offset + scale * (rng.next() * 2 - 1) * (rng.next() < 0.1 ? 3 : 1)));
}

/** Random-weight network (no training); calibrated on random inputs. */
export function randomModel(name: string, layers: LayerSpecInput[], inputShape: number[], classes: number, seed: number, sampleScale = 1): TestModel {
  const net = buildNetwork(parseLayers(layers), inputShape, classes, new Rng(seed));
  const labels = Array.from({ length: classes }, (_, i) => `class_${i}`);
  const float = lowerToFloatIr(net, { task: 'classification', labels, dsp: null });
  const size = inputShape.reduce((a, b) => a * b, 1);
  const samples = randomSamples(new Rng(seed + 1000), 24, size, sampleScale);
  return { name, float, int8: quantizeModel(float, samples), samples };
}

/** Every layer type the IR has, trained briefly on synthetic "spectrograms" (3 classes). */
export function everyLayerModel(seed = 21): TestModel {
  const layers: LayerSpecInput[] = [
    { type: 'reshape', shape: [-1, 4] },
    { type: 'conv1d', filters: 6, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool1d', poolSize: 2, padding: 'same' },
    { type: 'reshape', shape: [-1, 4, 3] },
    { type: 'batchNorm' },
    { type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'relu6' },
    { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'relu' },
    { type: 'avgPool2d', poolSize: 2, padding: 'same' },
    { type: 'conv2d', filters: 8, kernelSize: 1, activation: 'tanh' },
    { type: 'depthwiseConv2d', kernelSize: [3, 2], strides: [2, 1], padding: 'same' },
    { type: 'relu' },
    { type: 'globalAvgPool' },
    { type: 'dense', units: 12, activation: 'sigmoid' },
    { type: 'dense', units: 9 },
    { type: 'relu' },
    { type: 'dense', activation: 'softmax' },
  ];
  const rng = new Rng(seed);
  const n = 240;
  const inSize = 32;
  const x = new Float64Array(n * inSize);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < inSize; j++) x[i * inSize + j] = rng.uniform(-0.5, 0.5) + (Math.floor(j / 4) === 2 + 2 * c ? 2 : 0);
  }
  const net = buildNetwork(parseLayers(layers), [inSize], 3, new Rng(1));
  train(net, { x, n, labels }, null, { kind: 'classification', numClasses: 3 }, trainingSchema.parse({ epochs: 4, learningRate: 0.01, validationSplit: 0 }));
  const float = lowerToFloatIr(net, { task: 'classification', labels: ['a', 'b', 'c'], dsp: null });
  const samples = Array.from({ length: n }, (_, i) => Float32Array.from(x.subarray(i * inSize, (i + 1) * inSize)));
  return { name: 'every-layer', float, int8: quantizeModel(float, samples.slice(0, 60)), samples };
}

/** Edge Impulse's default 1D-conv audio network on 50×13 MFCC (4 classes), random weights. */
export function eiConv1dKws(seed = 3): TestModel {
  return randomModel('ei-conv1d-kws', presetLayers('ei-conv1d-audio', 13), [50, 13], 4, seed, 4);
}

/** MLPerf Tiny KWS DS-CNN on 49×10 MFCC (12 classes), random weights. */
export function dsCnn(seed = 5): TestModel {
  return randomModel('ds-cnn', presetLayers('mlperf-ds-cnn', 10), [49, 10], 12, seed, 4);
}

/** TFLM's micro_speech architecture: conv 8 filters 10×8 stride 2 on a 49×40 spectrogram → dense 4 (random weights). */
export function microSpeech(seed = 9): TestModel {
  const layers: LayerSpecInput[] = [
    { type: 'reshape', shape: [-1, 40, 1] },
    { type: 'conv2d', filters: 8, kernelSize: [10, 8], strides: 2, padding: 'same', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', activation: 'softmax' },
  ];
  return randomModel('micro-speech', layers, [49, 40], 4, seed, 4);
}

/** Kernel rows longer than the SIMD im2col's stack row (k_w · in_c = 68, a multiple of 4), cut by padding. */
export function wideRowModel(seed = 11): TestModel {
  const layers: LayerSpecInput[] = [
    { type: 'reshape', shape: [-1, 40, 2] },
    { type: 'conv2d', filters: 3, kernelSize: [2, 34], padding: 'same' },
    { type: 'flatten' },
    { type: 'dense', activation: 'softmax' },
  ];
  return randomModel('wide-rows', layers, [5, 80], 3, seed, 2);
}
