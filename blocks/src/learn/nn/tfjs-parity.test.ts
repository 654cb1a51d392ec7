import { describe, expect, it } from 'vitest';
import { buildNetwork } from './network.js';
import { Rng } from './rng.js';
import { parseLayers, presetLayers, type LayerSpecInput } from './spec.js';
import { sizeOf } from './layers.js';
import { copyWeightsToTfjs, toTfjsModel } from './tfjs-keras.js';

const tf = await import('@tensorflow/tfjs');
await tf.setBackend('cpu');

/** Same weights, same input: the engine must agree with stock tf.layers (Keras semantics). */
function compare(layers: LayerSpecInput[], inputShape: number[], classes: number, withGrads: boolean, training = false): { out: number; grad: number } {
  const specs = parseLayers(layers);
  const net = buildNetwork(specs, inputShape, classes, new Rng(5));
  const rng = new Rng(9);
  for (const p of net.params) {
    if (p.name === 'moving_variance') for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(0.5, 2);
    else for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.5, 0.5) + (p.name === 'gamma' ? 1 : 0);
  }
  const batch = 4;
  const x = new Float64Array(batch * sizeOf(inputShape)).map(() => rng.uniform(-2, 2));
  const model = toTfjsModel(tf, specs, inputShape, classes);
  copyWeightsToTfjs(tf, net, model);
  const xt = tf.tensor(Float32Array.from(x), [batch, ...inputShape]);
  const mine = net.forward(x, batch, training);
  const theirs = (training ? (model.apply(xt, { training: true }) as import('@tensorflow/tfjs').Tensor) : (model.predict(xt) as import('@tensorflow/tfjs').Tensor)).dataSync();
  let out = 0;
  for (let i = 0; i < theirs.length; i++) out = Math.max(out, Math.abs(mine[i]! - theirs[i]!));
  let grad = 0;
  if (withGrads) {
    // Cross-entropy gradients of every trainable weight, inference-mode forward (no dropout/BN batch stats).
    const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, tf.log((model.apply(xt, { training: false }) as import('@tensorflow/tfjs').Tensor).add(1e-30)) as never, undefined, undefined, tf.Reduction.MEAN) as never);
    net.zeroGrads();
    const specsNoSoftmax = net.layers.length - 1;
    const logits = net.forward(x, batch, false, specsNoSoftmax);
    const probs = net.layers[specsNoSoftmax]!.forward(logits, batch, false);
    const dz = new Float64Array(batch * classes);
    for (let b = 0; b < batch; b++) for (let c = 0; c < classes; c++) dz[b * classes + c] = (probs[b * classes + c]! - (labels[b] === c ? 1 : 0)) / batch;
    net.backward(dz, batch, specsNoSoftmax);
    const trainable = net.params.filter((p) => p.trainable);
    const theirGrads = model.trainableWeights.map((w) => grads[w.originalName]!.dataSync());
    trainable.forEach((p, k) => {
      const g = theirGrads[k]!;
      for (let i = 0; i < g.length; i++) grad = Math.max(grad, Math.abs(p.grad[i]! - g[i]!));
    });
  }
  return { out, grad };
}

describe('engine vs stock TensorFlow.js layers (CPU backend)', () => {
  it('EI 1-D conv audio preset: outputs and weight gradients', () => {
    // softmaxCrossEntropy expects logits: compare on the model without its final softmax.
    const layers = presetLayers('ei-conv1d-audio', 13).map((l) => (l.type === 'dense' ? { ...l, activation: 'linear' as const } : l));
    const r = compare([...layers, { type: 'softmax' }], [26 * 13], 4, true);
    expect(r.out).toBeLessThan(1e-5);
    expect(r.grad).toBeLessThan(1e-5);
  });

  it('conv2d stride 2 same, batchNorm, relu6, depthwise ×2, avgPool same, globalAvgPool, dense', () => {
    const r = compare(
      [
        { type: 'reshape', shape: [-1, 6, 1] },
        { type: 'conv2d', filters: 3, kernelSize: [4, 3], strides: 2, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu6' },
        { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' },
        { type: 'avgPool2d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'maxPool2d', poolSize: [2, 1], padding: 'valid' },
        { type: 'globalAvgPool' },
        { type: 'dense', units: 3, activation: 'sigmoid' },
      ],
      [9 * 6],
      3,
      false,
    );
    expect(r.out).toBeLessThan(1e-5);
  });

  it('batchNorm in training mode normalizes with batch statistics like Keras', () => {
    const r = compare(
      [
        { type: 'reshape', shape: [-1, 6, 1] },
        { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 3 },
        { type: 'batchNorm', epsilon: 0.01 },
      ],
      [9 * 6],
      3,
      false,
      true,
    );
    expect(r.out).toBeLessThan(1e-4);
  });
});
