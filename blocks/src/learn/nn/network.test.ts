import { describe, expect, it } from 'vitest';
import { buildNetwork, type Network } from './network.js';
import { Rng } from './rng.js';
import { parseLayers, presetLayers, type LayerSpecInput } from './spec.js';
import { sizeOf } from './layers.js';

/** Loss = Σ out·r for a fixed random r, so dL/dout = r. */
function lossOf(net: Network, x: Float64Array, batch: number, r: Float64Array): number {
  const y = net.forward(x, batch, true);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
  return s;
}

function gradCheck(layers: LayerSpecInput[], inputShape: number[], batch = 3): number {
  const net = buildNetwork(parseLayers(layers), inputShape, 4, new Rng(7));
  net.skipInputGrad = false;
  const rng = new Rng(11);
  // Non-zero biases and BN params so every path carries signal.
  for (const p of net.params) if (p.trainable) for (let i = 0; i < p.value.length; i++) p.value[i] = p.value[i]! + rng.uniform(-0.3, 0.3);
  const x = new Float64Array(batch * sizeOf(inputShape)).map(() => rng.uniform(-2, 2));
  const r = new Float64Array(batch * sizeOf(net.outputShape)).map(() => rng.uniform(-1, 1));
  net.zeroGrads();
  net.forward(x, batch, true);
  const dx = Float64Array.from(net.backward(r, batch));
  const eps = 1e-6;
  let worst = 0;
  const compare = (analytic: number, numeric: number): void => {
    const err = Math.abs(analytic - numeric) / Math.max(1e-3, Math.abs(analytic) + Math.abs(numeric));
    worst = Math.max(worst, err);
  };
  for (const p of net.params) {
    if (!p.trainable) continue;
    for (let i = 0; i < p.value.length; i += Math.max(1, Math.floor(p.value.length / 40))) {
      const keep = p.value[i]!;
      p.value[i] = keep + eps;
      const up = lossOf(net, x, batch, r);
      p.value[i] = keep - eps;
      const down = lossOf(net, x, batch, r);
      p.value[i] = keep;
      compare(p.grad[i]!, (up - down) / (2 * eps));
    }
  }
  for (let i = 0; i < x.length; i += Math.max(1, Math.floor(x.length / 40))) {
    const keep = x[i]!;
    x[i] = keep + eps;
    const up = lossOf(net, x, batch, r);
    x[i] = keep - eps;
    const down = lossOf(net, x, batch, r);
    x[i] = keep;
    compare(dx[i]!, (up - down) / (2 * eps));
  }
  return worst;
}

describe('layer gradients vs central finite differences', () => {
  it('conv1d (same, valid, stride 2), maxPool1d, relu, tanh, dense, softmax', () => {
    const worst = gradCheck(
      [
        { type: 'conv1d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool1d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'conv1d', filters: 5, kernelSize: 2, strides: 2, padding: 'valid', activation: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', activation: 'softmax' },
      ],
      [9, 3],
    );
    expect(worst).toBeLessThan(1e-5);
  });

  it('conv2d (rect kernel, stride 2), batchNorm (training), relu6, depthwise ×2, sigmoid, avgPool2d, globalAvgPool', () => {
    const worst = gradCheck(
      [
        { type: 'conv2d', filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu6' },
        { type: 'depthwiseConv2d', kernelSize: 2, depthMultiplier: 2, padding: 'valid', activation: 'sigmoid' },
        { type: 'avgPool2d', poolSize: 2, strides: 1, padding: 'same' },
        { type: 'globalAvgPool' },
        { type: 'dense', units: 3 },
      ],
      [7, 6, 2],
    );
    expect(worst).toBeLessThan(1e-5);
  });

  it('reshape, maxPool2d (valid), dense relu, batchNorm on a flat tensor', () => {
    const worst = gradCheck(
      [
        { type: 'reshape', shape: [-1, 4, 1] },
        { type: 'maxPool2d', poolSize: [2, 2], padding: 'valid' },
        { type: 'flatten' },
        { type: 'dense', units: 6, activation: 'relu' },
        { type: 'batchNorm' },
        { type: 'dense', units: 2, activation: 'tanh' },
      ],
      [24],
    );
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('network building', () => {
  it('EI 1-D conv preset on 50×13 MFCC gives the Keras shapes', () => {
    const net = buildNetwork(parseLayers(presetLayers('ei-conv1d-audio')), [650], 4, new Rng(1));
    expect(net.layers.map((l) => l.outShape.join('x'))).toEqual(['50x13', '50x8', '50x8', '25x8', '25x8', '25x16', '25x16', '13x16', '13x16', '208', '4', '4']);
    const trainable = net.params.filter((p) => p.trainable).reduce((a, p) => a + p.value.length, 0);
    expect(trainable).toBe(3 * 13 * 8 + 8 + 3 * 8 * 16 + 16 + 208 * 4 + 4);
  });

  it('DS-CNN preset builds on 50×13×1 and ends in [classes]', () => {
    const net = buildNetwork(parseLayers(presetLayers('mlperf-ds-cnn')), [650], 12, new Rng(1));
    expect(net.outputShape).toEqual([12]);
    expect(net.layers[1]!.outShape).toEqual([25, 7, 64]);
  });

  it('rejects a layer that cannot fit its input with a clear message', () => {
    expect(() => buildNetwork(parseLayers([{ type: 'conv2d', filters: 2, kernelSize: 3 }]), [10, 3], 2, new Rng(1))).toThrow(/needs \[rows, cols, channels\]/);
    expect(() => buildNetwork(parseLayers([{ type: 'reshape', shape: [-1, 7] }]), [650], 2, new Rng(1))).toThrow(/do not fold/);
    expect(() => buildNetwork(parseLayers([{ type: 'conv1d', filters: 2, kernelSize: 5, padding: 'valid' }]), [3, 2], 2, new Rng(1))).toThrow(/longer than/);
  });

  it('dropout scales kept units by 1/(1-rate) in training and is the identity otherwise', () => {
    const net = buildNetwork(parseLayers([{ type: 'dropout', rate: 0.25 }]), [1000], 2, new Rng(3));
    const x = new Float64Array(1000).fill(1);
    const y = net.forward(x, 1, true);
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 4 / 3) < 1e-12)).toBe(true);
    expect(kept.length).toBeGreaterThan(700);
    expect(kept.length).toBeLessThan(800);
    expect(Array.from(net.forward(x, 1, false))).toEqual(Array.from(x));
  });
});
