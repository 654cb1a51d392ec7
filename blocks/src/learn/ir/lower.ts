import { ActivationLayer, BatchNorm, Conv2D, Dense, DepthwiseConv2D, Pool2D, type Layer } from '../nn/layers.js';
import type { Network } from '../nn/network.js';
import { BinWriter, type IrModel } from './model.js';
import { IR_FORMAT, IR_VERSION, type FusedActivation, type ModelIR, type OpIR, type TensorIR } from './types.js';

/** Engine shape (no batch) → IR shape: [n] → [1, n]; [L, C] → [1, 1, L, C]; [H, W, C] → [1, H, W, C]. */
export function irShape(shape: readonly number[]): number[] {
  if (shape.length === 1) return [1, shape[0]!];
  if (shape.length === 2) return [1, 1, shape[0]!, shape[1]!];
  return [1, ...shape];
}

export interface LowerOptions {
  task: 'classification' | 'regression';
  labels: string[];
  dsp: unknown;
}

/**
 * Inference graph of a trained network in float32: dropout removed, batch norm folded into
 * the preceding conv/dense (or turned into a 1×1 depthwise conv when nothing precedes it),
 * RELU/RELU6 fused into the op before them, weights in TFLite layouts.
 */
export function lowerToFloatIr(net: Network, opts: LowerOptions): IrModel {
  const tensors: TensorIR[] = [];
  const ops: OpIR[] = [];
  const bin = new BinWriter();
  const tensor = (name: string, shape: number[], data?: Float32Array): number => {
    const id = tensors.length;
    tensors.push({ id, name, dtype: 'float32', shape, ...(data ? { buffer: bin.add(data) } : {}) });
    return id;
  };
  let cur = tensor('input', irShape(net.inputShape));
  const reshapeTo = (shape: number[], name: string): void => {
    const from = tensors[cur]!.shape;
    if (from.length === shape.length && from.every((d, k) => d === shape[k])) return;
    const out = tensor(name, shape);
    ops.push({ op: 'RESHAPE', inputs: [cur], outputs: [out] });
    cur = out;
  };

  const layers = net.layers.filter((l) => l.kind !== 'dropout');
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const next = (k: number): Layer | undefined => layers[i + k];
    if (layer instanceof Conv2D || layer instanceof Dense || layer instanceof DepthwiseConv2D) {
      let w: Float64Array;
      let outChannels: number;
      let filterShape: number[];
      // Weights in TFLite layout, output channel c at stride `per` (axis 0) or interleaved (depthwise).
      if (layer instanceof Conv2D) {
        const { KH, KW, C } = layer.g;
        const F = layer.filters;
        const K = KH * KW * C;
        w = new Float64Array(F * K);
        for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) w[f * K + k] = layer.kernel.value[k * F + f]!;
        outChannels = F;
        filterShape = [F, KH, KW, C];
      } else if (layer instanceof Dense) {
        const N = layer.kernel.shape[0]!;
        const U = layer.kernel.shape[1]!;
        w = new Float64Array(U * N);
        for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) w[u * N + n] = layer.kernel.value[n * U + u]!;
        outChannels = U;
        filterShape = [U, N];
      } else {
        const { KH, KW, C } = layer.g;
        w = Float64Array.from(layer.kernel.value);
        outChannels = C * layer.multiplier;
        filterShape = [1, KH, KW, outChannels];
      }
      const b = Float64Array.from(layer.bias.value);
      let consumed = 0;
      const bn = next(1);
      if (bn instanceof BatchNorm) {
        const depthwise = layer instanceof DepthwiseConv2D;
        const per = w.length / outChannels;
        for (let c = 0; c < outChannels; c++) {
          const s = bn.gamma.value[c]! / Math.sqrt(bn.movingVar.value[c]! + bn.epsilon);
          for (let k = 0; k < per; k++) {
            const at = depthwise ? k * outChannels + c : c * per + k;
            w[at] = w[at]! * s;
          }
          b[c] = (b[c]! - bn.movingMean.value[c]!) * s + bn.beta.value[c]!;
        }
        consumed++;
      }
      let activation: FusedActivation = 'NONE';
      const act = next(consumed + 1);
      if (act instanceof ActivationLayer && (act.kind === 'relu' || act.kind === 'relu6')) {
        activation = act.kind === 'relu' ? 'RELU' : 'RELU6';
        consumed++;
      }
      const finalShape = (layers[i + consumed] ?? layer).outShape;
      if (layer instanceof Dense) reshapeTo([1, layer.kernel.shape[0]!], `${layer.name}/flat`);
      const filter = tensor(`${layer.name}/filter`, filterShape, Float32Array.from(w));
      const bias = tensor(`${layer.name}/bias`, [outChannels], Float32Array.from(b));
      const out = tensor(layer.name, irShape(finalShape));
      if (layer instanceof Dense) ops.push({ op: 'FULLY_CONNECTED', inputs: [cur, filter, bias], outputs: [out], activation });
      else {
        const g = layer.g;
        const win = { strideH: g.SH, strideW: g.SW, padTop: g.padT, padLeft: g.padL, padding: g.padding };
        if (layer instanceof Conv2D) ops.push({ op: 'CONV_2D', inputs: [cur, filter, bias], outputs: [out], activation, ...win });
        else ops.push({ op: 'DEPTHWISE_CONV_2D', inputs: [cur, filter, bias], outputs: [out], activation, depthMultiplier: layer.multiplier, ...win });
      }
      cur = out;
      i += consumed;
      continue;
    }
    if (layer instanceof BatchNorm) {
      // A batch norm with no conv/dense before it: y = s·x + (β − μ·s) as a 1×1 depthwise conv.
      const C = layer.gamma.value.length;
      const s = new Float32Array(C);
      const b = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        const sc = layer.gamma.value[c]! / Math.sqrt(layer.movingVar.value[c]! + layer.epsilon);
        s[c] = sc;
        b[c] = layer.beta.value[c]! - layer.movingMean.value[c]! * sc;
      }
      const shape4 = tensors[cur]!.shape.length === 4 ? tensors[cur]!.shape : [1, 1, 1, C];
      reshapeTo(shape4, `${layer.name}/4d`);
      const filter = tensor(`${layer.name}/filter`, [1, 1, 1, C], s);
      const bias = tensor(`${layer.name}/bias`, [C], b);
      const out = tensor(layer.name, shape4);
      ops.push({ op: 'DEPTHWISE_CONV_2D', inputs: [cur, filter, bias], outputs: [out], activation: 'NONE', depthMultiplier: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padding: 'valid' });
      cur = out;
      reshapeTo(irShape(layer.outShape), `${layer.name}/out`);
      continue;
    }
    if (layer instanceof Pool2D) {
      const g = layer.g;
      const out = tensor(layer.name, irShape(layer.outShape));
      ops.push({
        op: layer.kind === 'maxPool2d' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
        inputs: [cur],
        outputs: [out],
        filterH: g.KH,
        filterW: g.KW,
        strideH: g.SH,
        strideW: g.SW,
        padTop: g.padT,
        padLeft: g.padL,
        padding: g.padding,
        activation: 'NONE',
      });
      cur = out;
      continue;
    }
    switch (layer.kind) {
      case 'reshape':
        reshapeTo(irShape(layer.outShape), layer.name);
        break;
      case 'globalAvgPool': {
        const [, H, W] = tensors[cur]!.shape as [number, number, number, number];
        const C = layer.outShape[0]!;
        const pooled = tensor(`${layer.name}/pool`, [1, 1, 1, C]);
        ops.push({ op: 'AVERAGE_POOL_2D', inputs: [cur], outputs: [pooled], filterH: H, filterW: W, strideH: H, strideW: W, padTop: 0, padLeft: 0, padding: 'valid', activation: 'NONE' });
        cur = pooled;
        reshapeTo([1, C], layer.name);
        break;
      }
      case 'relu':
      case 'relu6':
      case 'tanh':
      case 'sigmoid':
      case 'softmax': {
        const out = tensor(layer.name, tensors[cur]!.shape.slice());
        const op = { relu: 'RELU', relu6: 'RELU6', tanh: 'TANH', sigmoid: 'LOGISTIC', softmax: 'SOFTMAX' }[layer.kind];
        if (op === 'SOFTMAX') ops.push({ op, inputs: [cur], outputs: [out], beta: 1 });
        else ops.push({ op: op as 'RELU', inputs: [cur], outputs: [out] });
        cur = out;
        break;
      }
      default:
        throw new Error(`cannot lower layer ${layer.name} (${layer.kind})`);
    }
  }
  const data = bin.finish();
  const ir: ModelIR = {
    format: IR_FORMAT,
    version: IR_VERSION,
    precision: 'float32',
    task: opts.task,
    labels: opts.labels,
    dsp: opts.dsp,
    featureShape: [...net.inputShape],
    input: 0,
    output: cur,
    tensors,
    ops,
    weightsBytes: data.length,
  };
  return { ir, bin: data };
}
