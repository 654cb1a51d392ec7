import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  expOnNegativeValues,
  getReciprocal,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingMultiplyByPOT,
  saturatingRoundingDoublingHighMul,
} from './fixedpoint.js';
import { constFloat32, constInt32, constInt8, elementCount, tensorOf, type IrModel } from './model.js';
import type { Conv2DOp, DepthwiseConv2DOp, FullyConnectedOp, OpIR, Pool2DOp, Requant } from './types.js';

/**
 * Reference interpreters of the model IR. The int8 one is the oracle a compiled target must
 * match bit for bit; the float32 one is the float model (and the quantizer's calibration pass).
 */

type Dims4 = [number, number, number, number];
const dims4 = (shape: readonly number[]): Dims4 => {
  if (shape.length !== 4) throw new Error(`expected a 4-D tensor, got [${shape.join(', ')}]`);
  return shape as Dims4;
};

// ---------------------------------------------------------------- float32

/** Runs the float32 IR on one feature vector; `observe` sees every activation tensor. */
export function runFloat(model: IrModel, input: ArrayLike<number>, observe?: (tensorId: number, data: Float32Array) => void): Float32Array {
  const { ir } = model;
  if (ir.precision !== 'float32') throw new Error('runFloat needs a float32 IR');
  const values = new Map<number, Float32Array>();
  const x0 = Float32Array.from(input as ArrayLike<number>);
  values.set(ir.input, x0);
  observe?.(ir.input, x0);
  for (const op of ir.ops) {
    const x = values.get(op.inputs[0])!;
    const outT = tensorOf(model, op.outputs[0]);
    const inT = tensorOf(model, op.inputs[0]);
    const y = new Float32Array(elementCount(outT.shape));
    switch (op.op) {
      case 'RESHAPE':
        y.set(x);
        break;
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const w = constFloat32(model, op.inputs[1]);
        const b = constFloat32(model, op.inputs[2]);
        convFloat(op, dims4(inT.shape), dims4(outT.shape), dims4(tensorOf(model, op.inputs[1]).shape), x, w, b, y);
        break;
      }
      case 'FULLY_CONNECTED': {
        const w = constFloat32(model, op.inputs[1]);
        const b = constFloat32(model, op.inputs[2]);
        const [O, N] = tensorOf(model, op.inputs[1]).shape as [number, number];
        for (let o = 0; o < O; o++) {
          let s = b[o]!;
          for (let n = 0; n < N; n++) s += x[n]! * w[o * N + n]!;
          y[o] = actFloat(op.activation, s);
        }
        break;
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        poolWindows(op, dims4(inT.shape), dims4(outT.shape), (o, cells, c, C) => {
          let acc = op.op === 'MAX_POOL_2D' ? -Infinity : 0;
          for (const cell of cells) acc = op.op === 'MAX_POOL_2D' ? Math.max(acc, x[cell * C + c]!) : acc + x[cell * C + c]!;
          y[o] = op.op === 'MAX_POOL_2D' ? acc : acc / cells.length;
        });
        break;
      case 'RELU':
        for (let i = 0; i < y.length; i++) y[i] = Math.max(x[i]!, 0);
        break;
      case 'RELU6':
        for (let i = 0; i < y.length; i++) y[i] = Math.min(Math.max(x[i]!, 0), 6);
        break;
      case 'TANH':
        for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i]!);
        break;
      case 'LOGISTIC':
        for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]!));
        break;
      case 'SOFTMAX': {
        const D = outT.shape[outT.shape.length - 1]!;
        for (let r = 0; r < y.length; r += D) {
          let mx = -Infinity;
          for (let d = 0; d < D; d++) mx = Math.max(mx, x[r + d]!);
          let s = 0;
          for (let d = 0; d < D; d++) s += Math.exp(op.beta * (x[r + d]! - mx));
          for (let d = 0; d < D; d++) y[r + d] = Math.exp(op.beta * (x[r + d]! - mx)) / s;
        }
        break;
      }
    }
    values.set(op.outputs[0], y);
    observe?.(op.outputs[0], y);
  }
  return values.get(ir.output)!;
}

function actFloat(a: string, v: number): number {
  if (a === 'RELU') return Math.max(v, 0);
  if (a === 'RELU6') return Math.min(Math.max(v, 0), 6);
  return v;
}

/** Float conv/depthwise (OHWI or 1HW(C·M) filter); padding cells contribute nothing. */
function convFloat(op: Conv2DOp | DepthwiseConv2DOp, inS: Dims4, outS: Dims4, fS: Dims4, x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array): void {
  const [, H, W, C] = inS;
  const [, OH, OW, CO] = outS;
  const KH = fS[1];
  const KW = fS[2];
  const dw = op.op === 'DEPTHWISE_CONV_2D';
  const M = dw ? op.depthMultiplier : 1;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let co = 0; co < CO; co++) {
        let s = b[co]!;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * op.strideH - op.padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * op.strideW - op.padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const xo = (iy * W + ix) * C;
            if (dw) s += x[xo + ((co / M) | 0)]! * w[(ky * KW + kx) * CO + co]!;
            else for (let c = 0; c < C; c++) s += x[xo + c]! * w[((co * KH + ky) * KW + kx) * C + c]!;
          }
        }
        y[(oy * OW + ox) * CO + co] = actFloat(op.activation, s);
      }
}

/** Visits each pool output with the flat indices (iy·W + ix) of its in-bounds cells. */
function poolWindows(op: Pool2DOp, inS: Dims4, outS: Dims4, visit: (outIndex: number, cells: number[], c: number, C: number) => void): void {
  const [, H, W, C] = inS;
  const [, OH, OW] = outS;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++) {
      const cells: number[] = [];
      for (let ky = 0; ky < op.filterH; ky++) {
        const iy = oy * op.strideH - op.padTop + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < op.filterW; kx++) {
          const ix = ox * op.strideW - op.padLeft + kx;
          if (ix >= 0 && ix < W) cells.push(iy * W + ix);
        }
      }
      for (let c = 0; c < C; c++) visit((oy * OW + ox) * C + c, cells, c, C);
    }
}

// ---------------------------------------------------------------- int8

const clampI8 = (v: number, lo = -128, hi = 127): number => (v < lo ? lo : v > hi ? hi : v);

/** TFLite QUANTIZE of the float input: float32 division, round half away from zero. */
export function quantizeInput(model: IrModel, features: ArrayLike<number>): Int8Array {
  const t = tensorOf(model, model.ir.input);
  const scale = Math.fround(t.quant!.scale[0]!);
  const zp = t.quant!.zeroPoint[0]!;
  const out = new Int8Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = clampI8(roundHalfAway(Math.fround(Math.fround(features[i]!) / scale)) + zp);
  return out;
}

export function dequantizeOutput(model: IrModel, q: Int8Array): Float32Array {
  const t = tensorOf(model, model.ir.output);
  const scale = t.quant!.scale[0]!;
  const zp = t.quant!.zeroPoint[0]!;
  return Float32Array.from(q, (v) => scale * (v - zp));
}

function requantize(acc: number, r: Requant, c: number, zpOut: number): number {
  const v = multiplyByQuantizedMultiplier(acc, r.multiplier[c]!, r.shift[c]!) + zpOut;
  return v < r.activationMin ? r.activationMin : v > r.activationMax ? r.activationMax : v;
}

/** Runs the int8 IR on a quantized input; `observe` sees every activation tensor. */
export function runInt8(model: IrModel, input: Int8Array, observe?: (tensorId: number, data: Int8Array) => void): Int8Array {
  const { ir } = model;
  if (ir.precision !== 'int8') throw new Error('runInt8 needs an int8 IR');
  const values = new Map<number, Int8Array>();
  values.set(ir.input, input);
  observe?.(ir.input, input);
  for (const op of ir.ops) {
    const y = runInt8Op(model, op, values.get(op.inputs[0])!);
    values.set(op.outputs[0], y);
    observe?.(op.outputs[0], y);
  }
  return values.get(ir.output)!;
}

/** One int8 op (exported for op-by-op tests). */
export function runInt8Op(model: IrModel, op: OpIR, x: Int8Array): Int8Array {
  const inT = tensorOf(model, op.inputs[0]);
  const outT = tensorOf(model, op.outputs[0]);
  const zpIn = inT.quant!.zeroPoint[0]!;
  const zpOut = outT.quant!.zeroPoint[0]!;
  const y = new Int8Array(elementCount(outT.shape));
  switch (op.op) {
    case 'RESHAPE':
      y.set(x);
      break;
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
      convInt8(model, op, x, y, zpIn, zpOut);
      break;
    case 'FULLY_CONNECTED':
      fullyConnectedInt8(model, op, x, y, zpIn, zpOut);
      break;
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const lo = op.activationMin ?? -128;
      const hi = op.activationMax ?? 127;
      poolWindows(op, dims4(inT.shape), dims4(outT.shape), (o, cells, c, C) => {
        if (op.op === 'MAX_POOL_2D') {
          let m = -128;
          for (const cell of cells) m = Math.max(m, x[cell * C + c]!);
          y[o] = clampI8(m, lo, hi);
        } else {
          let sum = 0;
          for (const cell of cells) sum += x[cell * C + c]!;
          const n = cells.length;
          // C integer division truncates toward zero; the ±n/2 makes it round half away.
          const avg = sum > 0 ? Math.trunc((sum + Math.trunc(n / 2)) / n) : Math.trunc((sum - Math.trunc(n / 2)) / n);
          y[o] = clampI8(avg, lo, hi);
        }
      });
      break;
    }
    case 'RELU':
    case 'RELU6': {
      const r = op.requant!;
      for (let i = 0; i < y.length; i++) y[i] = requantize(x[i]! - zpIn, r, 0, zpOut);
      break;
    }
    case 'LOGISTIC':
    case 'TANH': {
      const lut = op.lut!;
      for (let i = 0; i < y.length; i++) y[i] = lut[x[i]! + 128]!;
      break;
    }
    case 'SOFTMAX': {
      const D = outT.shape[outT.shape.length - 1]!;
      for (let r = 0; r < y.length; r += D) softmaxInt8Row(x, y, r, D, op.inputMultiplier!, op.inputLeftShift!, op.diffMin!);
      break;
    }
  }
  return y;
}

function convInt8(model: IrModel, op: Conv2DOp | DepthwiseConv2DOp, x: Int8Array, y: Int8Array, zpIn: number, zpOut: number): void {
  const [, H, W, C] = dims4(tensorOf(model, op.inputs[0]).shape);
  const [, OH, OW, CO] = dims4(tensorOf(model, op.outputs[0]).shape);
  const fS = dims4(tensorOf(model, op.inputs[1]).shape);
  const w = constInt8(model, op.inputs[1]);
  const b = constInt32(model, op.inputs[2]);
  const KH = fS[1];
  const KW = fS[2];
  const dw = op.op === 'DEPTHWISE_CONV_2D';
  const M = dw ? op.depthMultiplier : 1;
  const r = op.requant!;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let co = 0; co < CO; co++) {
        let acc = b[co]!;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * op.strideH - op.padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * op.strideW - op.padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const xo = (iy * W + ix) * C;
            if (dw) acc += (x[xo + ((co / M) | 0)]! - zpIn) * w[(ky * KW + kx) * CO + co]!;
            else for (let c = 0; c < C; c++) acc += (x[xo + c]! - zpIn) * w[((co * KH + ky) * KW + kx) * C + c]!;
          }
        }
        y[(oy * OW + ox) * CO + co] = requantize(acc | 0, r, co, zpOut);
      }
}

function fullyConnectedInt8(model: IrModel, op: FullyConnectedOp, x: Int8Array, y: Int8Array, zpIn: number, zpOut: number): void {
  const [O, N] = tensorOf(model, op.inputs[1]).shape as [number, number];
  const w = constInt8(model, op.inputs[1]);
  const b = constInt32(model, op.inputs[2]);
  const r = op.requant!;
  for (let o = 0; o < O; o++) {
    let acc = b[o]!;
    for (let n = 0; n < N; n++) acc += (x[n]! - zpIn) * w[o * N + n]!;
    y[o] = requantize(acc | 0, r, o, zpOut);
  }
}

/** TFLite reference_ops::Softmax for int8 in / int8 out (scale 1/256, zero point −128). */
function softmaxInt8Row(x: Int8Array, y: Int8Array, r: number, D: number, inputMultiplier: number, inputLeftShift: number, diffMin: number): void {
  const kScaledDiffIntegerBits = 5;
  const kAccumulationIntegerBits = 12;
  let maxInRow = -128;
  for (let d = 0; d < D; d++) maxInRow = Math.max(maxInRow, x[r + d]!);
  let sumOfExps = 0;
  for (let d = 0; d < D; d++) {
    const diff = x[r + d]! - maxInRow;
    if (diff >= diffMin) {
      const rescaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
      const e = expOnNegativeValues(rescaled, kScaledDiffIntegerBits);
      sumOfExps = (sumOfExps + saturatingRoundingMultiplyByPOT(e, -kAccumulationIntegerBits)) | 0;
    }
  }
  const { reciprocal, numBitsOverUnit } = getReciprocal(sumOfExps, kAccumulationIntegerBits);
  for (let d = 0; d < D; d++) {
    const diff = x[r + d]! - maxInRow;
    if (diff >= diffMin) {
      const rescaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
      const e = expOnNegativeValues(rescaled, kScaledDiffIntegerBits);
      const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, e), numBitsOverUnit + 31 - 8);
      y[r + d] = clampI8(unsat - 128);
    } else y[r + d] = -128;
  }
}

/**
 * Test vectors for targets that must match this interpreter bit for bit: quantized inputs, the
 * int8 outputs, and for the first vector every intermediate tensor.
 */
export function goldenVectors(model: IrModel, inputs: readonly ArrayLike<number>[]): { format: string; vectors: { input: number[]; output: number[] }[]; firstVectorTensors: Record<string, number[]> } {
  const firstVectorTensors: Record<string, number[]> = {};
  const vectors = inputs.map((features, k) => {
    const q = quantizeInput(model, features);
    const y = runInt8(model, q, k === 0 ? (id, data) => (firstVectorTensors[String(id)] = Array.from(data)) : undefined);
    return { input: Array.from(q), output: Array.from(y) };
  });
  return { format: 'tinyforge-int8-golden-v1', vectors, firstVectorTensors };
}
