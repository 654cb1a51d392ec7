import { TinyforgeError } from '@tinyforge/sdk';
import {
  ActivationLayer,
  BatchNorm,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Dropout,
  geometry,
  GlobalAvgPool,
  Pool2D,
  Reshape,
  sizeOf,
  type Layer,
  type Param,
} from './layers.js';
import type { Rng } from './rng.js';
import type { LayerSpec } from './spec.js';

/** A stack of engine layers built from a layer spec for one input shape. */
export class Network {
  constructor(
    readonly inputShape: readonly number[],
    readonly layers: Layer[],
  ) {}

  get outputShape(): readonly number[] {
    return this.layers.length > 0 ? this.layers[this.layers.length - 1]!.outShape : this.inputShape;
  }

  /** Layers before the first one with weights need no backward pass. */
  private get firstTrainable(): number {
    return this.skipInputGrad ? Math.max(0, this.layers.findIndex((l) => l.params.some((p) => p.trainable))) : 0;
  }

  /** Set false to get dL/dinput from backward() (gradient checks). */
  skipInputGrad = true;

  get params(): Param[] {
    return this.layers.flatMap((l) => l.params);
  }

  /** Runs layers [0, upTo) (all by default). `x` is batch-major. */
  forward(x: Float64Array, batch: number, training: boolean, upTo = this.layers.length): Float64Array {
    let h = x;
    for (let i = 0; i < upTo; i++) h = this.layers[i]!.forward(h, batch, training);
    return h;
  }

  /** Backpropagates `dy`, the gradient at the output of layer `from − 1`. */
  backward(dy: Float64Array, batch: number, from = this.layers.length): Float64Array {
    let g = dy;
    const first = this.firstTrainable;
    for (let i = from - 1; i >= first; i--) g = this.layers[i]!.backward(g, batch, i > first || !this.skipInputGrad);
    return g;
  }

  zeroGrads(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** Learned values as float32 arrays by `layer/param` name. */
  exportWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const l of this.layers) for (const p of l.params) out[`${l.name}/${p.name}`] = Float32Array.from(p.value);
    return out;
  }

  importWeights(weights: Record<string, ArrayLike<number>>): void {
    for (const l of this.layers)
      for (const p of l.params) {
        const w = weights[`${l.name}/${p.name}`];
        if (!w || w.length !== p.value.length) throw new Error(`weights for ${l.name}/${p.name} missing or of wrong size`);
        p.value.set(w);
      }
  }
}

function misfit(index: number, spec: LayerSpec, message: string, shape: readonly number[]): TinyforgeError {
  return new TinyforgeError({
    code: 'BAD_INPUT',
    path: `layers[${index}]`,
    message: `layer ${index} (${spec.type}) cannot take its input: ${message}`,
    found: `input shape [${shape.join(', ')}]`,
  });
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * Builds the engine network for `inputShape` (per sample, no batch axis). `outputUnits` fills
 * a dense layer without `units` (the classifier's class count). Shape problems throw
 * TinyforgeError naming the layer.
 */
export function buildNetwork(specs: readonly LayerSpec[], inputShape: readonly number[], outputUnits: number, rng: Rng): Network {
  const layers: Layer[] = [];
  let shape: readonly number[] = inputShape;
  const initRng = rng.fork(1);
  const dropRng = rng.fork(2);
  specs.forEach((spec, i) => {
    const name = `${spec.type}_${i}`;
    const activation = (act: string): void => {
      if (act !== 'linear') layers.push(new ActivationLayer(act as 'relu', `${name}_${act}`, shape));
    };
    switch (spec.type) {
      case 'input': {
        if (sizeOf(spec.shape) !== sizeOf(shape)) throw misfit(i, spec, `declared input [${spec.shape.join(', ')}] has ${sizeOf(spec.shape)} values`, shape);
        const out = spec.shape;
        layers.push(new Reshape(name, shape, out));
        shape = out;
        break;
      }
      case 'reshape': {
        const total = sizeOf(shape);
        const free = spec.shape.filter((d) => d === -1).length;
        if (free > 1) throw misfit(i, spec, 'at most one -1 in a reshape', shape);
        const known = spec.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        if (free === 1 ? total % known !== 0 : known !== total)
          throw misfit(i, spec, `${total} values do not fold into [${spec.shape.join(', ')}]`, shape);
        const out = spec.shape.map((d) => (d === -1 ? total / known : d));
        layers.push(new Reshape(name, shape, out));
        shape = out;
        break;
      }
      case 'flatten': {
        const out = [sizeOf(shape)];
        layers.push(new Reshape(name, shape, out));
        shape = out;
        break;
      }
      case 'dense': {
        if (shape.length !== 1) throw misfit(i, spec, 'dense needs a flat input; add a flatten layer before it', shape);
        const units = spec.units ?? outputUnits;
        layers.push(new Dense(name, shape, units, initRng));
        shape = [units];
        activation(spec.activation);
        break;
      }
      case 'conv1d': {
        if (shape.length !== 2) throw misfit(i, spec, 'conv1d needs [steps, channels]; add a reshape (e.g. [-1, 13])', shape);
        const g = geometry([1, shape[0]!, shape[1]!], [1, spec.kernelSize], [1, spec.strides], spec.padding);
        if (g.OW < 1) throw misfit(i, spec, `kernel ${spec.kernelSize} is longer than ${shape[0]} steps`, shape);
        const out = [g.OW, spec.filters];
        layers.push(new Conv2D(name, shape, out, g, spec.filters, initRng));
        shape = out;
        activation(spec.activation);
        break;
      }
      case 'conv2d':
      case 'depthwiseConv2d': {
        if (shape.length !== 3) throw misfit(i, spec, `${spec.type} needs [rows, cols, channels]; add a reshape (e.g. [-1, 13, 1])`, shape);
        const g = geometry([shape[0]!, shape[1]!, shape[2]!], pair(spec.kernelSize), pair(spec.strides), spec.padding);
        if (g.OH < 1 || g.OW < 1) throw misfit(i, spec, `kernel [${pair(spec.kernelSize).join(', ')}] is larger than the input`, shape);
        if (spec.type === 'conv2d') {
          const out = [g.OH, g.OW, spec.filters];
          layers.push(new Conv2D(name, shape, out, g, spec.filters, initRng));
          shape = out;
        } else {
          const out = [g.OH, g.OW, g.C * spec.depthMultiplier];
          layers.push(new DepthwiseConv2D(name, shape, out, g, spec.depthMultiplier, initRng));
          shape = out;
        }
        activation(spec.activation);
        break;
      }
      case 'maxPool1d': {
        if (shape.length !== 2) throw misfit(i, spec, 'maxPool1d needs [steps, channels]', shape);
        const g = geometry([1, shape[0]!, shape[1]!], [1, spec.poolSize], [1, spec.strides ?? spec.poolSize], spec.padding);
        if (g.OW < 1) throw misfit(i, spec, `pool ${spec.poolSize} is longer than ${shape[0]} steps`, shape);
        const out = [g.OW, g.C];
        layers.push(new Pool2D('maxPool2d', name, shape, out, g));
        shape = out;
        break;
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        if (shape.length !== 3) throw misfit(i, spec, `${spec.type} needs [rows, cols, channels]`, shape);
        const g = geometry([shape[0]!, shape[1]!, shape[2]!], pair(spec.poolSize), pair(spec.strides ?? spec.poolSize), spec.padding);
        if (g.OH < 1 || g.OW < 1) throw misfit(i, spec, 'pool window larger than the input', shape);
        const out = [g.OH, g.OW, g.C];
        layers.push(new Pool2D(spec.type, name, shape, out, g));
        shape = out;
        break;
      }
      case 'globalAvgPool': {
        if (shape.length < 2) throw misfit(i, spec, 'globalAvgPool needs [steps, channels] or [rows, cols, channels]', shape);
        const out = [shape[shape.length - 1]!];
        layers.push(new GlobalAvgPool(name, shape, out));
        shape = out;
        break;
      }
      case 'dropout':
        layers.push(new Dropout(name, shape, spec.rate, dropRng));
        break;
      case 'batchNorm':
        layers.push(new BatchNorm(name, shape, spec.momentum, spec.epsilon));
        break;
      case 'relu':
      case 'relu6':
      case 'tanh':
      case 'sigmoid':
      case 'softmax':
        layers.push(new ActivationLayer(spec.type, name, shape));
        break;
    }
  });
  return new Network(inputShape, layers);
}
