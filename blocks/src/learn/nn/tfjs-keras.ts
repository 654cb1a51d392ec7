import type * as TF from '@tensorflow/tfjs';
import type { LayerSpec } from './spec.js';
import type { Network } from './network.js';

/**
 * The same layer spec as a stock tf.layers model. Used only to cross-check the engine against
 * TensorFlow.js and as the baseline in the training benchmark; never on the training path.
 */
export function toTfjsModel(tf: typeof TF, specs: readonly LayerSpec[], inputShape: readonly number[], outputUnits: number): TF.Sequential {
  const model = tf.sequential();
  let first = true;
  const common = (): { inputShape?: number[] } => {
    if (!first) return {};
    first = false;
    return { inputShape: [...inputShape] };
  };
  const act = (a: string): never => a as never;
  for (const s of specs) {
    switch (s.type) {
      case 'input':
      case 'reshape':
      {
        // tf.layers cannot infer a -1 axis: resolve it from the current size.
        const current = first ? [...inputShape] : (model.outputShape as number[]).slice(1);
        const total = current.reduce((a, b) => a * b, 1);
        const known = s.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const target = s.shape.map((d) => (d === -1 ? total / known : d));
        model.add(tf.layers.reshape({ targetShape: target, ...common() }));
      }
        break;
      case 'flatten': {
        // tf.layers.flatten wants ≥ 2 feature axes; on a flat input it is a no-op reshape.
        const current = first ? [...inputShape] : (model.outputShape as number[]).slice(1);
        if (current.length === 1) model.add(tf.layers.reshape({ targetShape: current, ...common() }));
        else model.add(tf.layers.flatten(common()));
        break;
      }
      case 'dense':
        model.add(tf.layers.dense({ units: s.units ?? outputUnits, activation: act(s.activation), ...common() }));
        break;
      case 'conv1d':
        model.add(tf.layers.conv1d({ filters: s.filters, kernelSize: s.kernelSize, strides: s.strides, padding: s.padding, activation: act(s.activation), ...common() }));
        break;
      case 'conv2d':
        model.add(tf.layers.conv2d({ filters: s.filters, kernelSize: s.kernelSize, strides: s.strides, padding: s.padding, activation: act(s.activation), ...common() }));
        break;
      case 'depthwiseConv2d':
        model.add(tf.layers.depthwiseConv2d({ kernelSize: s.kernelSize, strides: s.strides, padding: s.padding, depthMultiplier: s.depthMultiplier, activation: act(s.activation), ...common() }));
        break;
      case 'maxPool1d':
        model.add(tf.layers.maxPooling1d({ poolSize: s.poolSize, strides: s.strides ?? s.poolSize, padding: s.padding, ...common() }));
        break;
      case 'maxPool2d':
        model.add(tf.layers.maxPooling2d({ poolSize: s.poolSize, strides: s.strides ?? s.poolSize, padding: s.padding, ...common() }));
        break;
      case 'avgPool2d':
        model.add(tf.layers.averagePooling2d({ poolSize: s.poolSize, strides: s.strides ?? s.poolSize, padding: s.padding, ...common() }));
        break;
      case 'globalAvgPool':
        // Engine semantics: mean over every axis but channels, for 1-D and 2-D inputs alike.
        model.add(tf.layers.globalAveragePooling2d(common()));
        break;
      case 'dropout':
        model.add(tf.layers.dropout({ rate: s.rate, ...common() }));
        break;
      case 'batchNorm':
        model.add(tf.layers.batchNormalization({ momentum: s.momentum, epsilon: s.epsilon, ...common() }));
        break;
      default:
        model.add(tf.layers.activation({ activation: act(s.type), ...common() }));
    }
  }
  return model;
}

/** Copies the engine's weights into a tf.layers model built by toTfjsModel (same order). */
export function copyWeightsToTfjs(tf: typeof TF, net: Network, model: TF.Sequential): void {
  // tf.layers lists every trainable weight first, then the non-trainable ones (BN statistics).
  const ordered = [...net.params.filter((p) => p.trainable), ...net.params.filter((p) => !p.trainable)];
  const values = ordered.map((p) => tf.tensor(Float32Array.from(p.value), p.shape.length === 4 && p.shape[0] === 1 && net.layers.some((l) => l.params.includes(p) && l.inShape.length === 2) ? p.shape.slice(1) : p.shape));
  model.setWeights(values);
}
