import { quantizeMultiplier, roundHalfAway } from './fixedpoint.js';
import { runFloat } from './interpreter.js';
import { BinWriter, constFloat32, type IrModel } from './model.js';
import type { FusedActivation, ModelIR, OpIR, QuantParams, Requant, TensorIR } from './types.js';

/**
 * Post-training int8 quantization (TFLite converter conventions): per-tensor asymmetric
 * activations from min/max over a representative dataset, per-channel symmetric weights,
 * int32 biases, precomputed requantization multipliers/shifts.
 */

/** TFLite/TOCO ChooseQuantizationParams for int8 with the zero-point nudge; range always holds 0. */
export function chooseActivationQuant(min: number, max: number): { scale: number; zeroPoint: number } {
  const rmin = Math.min(min, 0);
  const rmax = Math.max(max, 0);
  if (rmax === rmin) return { scale: Math.fround(1 / 255), zeroPoint: -128 };
  const qmin = -128;
  const qmax = 127;
  const scale = (rmax - rmin) / (qmax - qmin);
  const zpFromMin = qmin - rmin / scale;
  const zpFromMax = qmax - rmax / scale;
  const errMin = Math.abs(qmin) + Math.abs(rmin / scale);
  const errMax = Math.abs(qmax) + Math.abs(rmax / scale);
  const zpDouble = errMin < errMax ? zpFromMin : zpFromMax;
  const zeroPoint = zpDouble < qmin ? qmin : zpDouble > qmax ? qmax : roundHalfAway(zpDouble);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Float32 → int8 with a float32 scale, as TFLite's quantize (float division, round half away). */
function quantizeValue(v: number, scale: number, zeroPoint: number): number {
  const q = roundHalfAway(Math.fround(Math.fround(v) / Math.fround(scale))) + zeroPoint;
  return q < -128 ? -128 : q > 127 ? 127 : q;
}

/** TFLite CalculateActivationRangeQuantized for a fused activation. */
export function activationRange(act: FusedActivation, scale: number, zeroPoint: number): [number, number] {
  const q = (v: number): number => zeroPoint + roundHalfAway(Math.fround(Math.fround(v) / Math.fround(scale)));
  if (act === 'RELU') return [Math.max(-128, q(0)), 127];
  if (act === 'RELU6') return [Math.max(-128, q(0)), Math.min(127, q(6))];
  return [-128, 127];
}

export interface QuantizeOptions {
  /** Cap on representative samples used (calibration cost grows linearly). */
  maxSamples?: number;
}

export function quantizeModel(float: IrModel, representative: readonly ArrayLike<number>[], opts: QuantizeOptions = {}): IrModel {
  const { ir } = float;
  if (ir.precision !== 'float32') throw new Error('quantizeModel needs a float32 IR');
  if (representative.length === 0) throw new Error('quantization needs at least one representative sample');
  const samples = representative.slice(0, opts.maxSamples ?? 1000);

  // 1. Calibrate: min/max of every activation tensor.
  const min = new Float64Array(ir.tensors.length).fill(Infinity);
  const max = new Float64Array(ir.tensors.length).fill(-Infinity);
  for (const s of samples)
    runFloat(float, s, (id, data) => {
      let lo = min[id]!;
      let hi = max[id]!;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      min[id] = lo;
      max[id] = hi;
    });

  // 2. Activation quantization, in graph order so pass-through ops inherit their input's.
  const act = new Map<number, { scale: number; zeroPoint: number }>();
  act.set(ir.input, chooseActivationQuant(min[ir.input]!, max[ir.input]!));
  for (const op of ir.ops) {
    const out = op.outputs[0];
    switch (op.op) {
      case 'RESHAPE':
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        act.set(out, act.get(op.inputs[0])!);
        break;
      case 'SOFTMAX':
      case 'LOGISTIC':
        act.set(out, { scale: Math.fround(1 / 256), zeroPoint: -128 });
        break;
      case 'TANH':
        act.set(out, { scale: Math.fround(1 / 128), zeroPoint: 0 });
        break;
      default:
        act.set(out, chooseActivationQuant(min[out]!, max[out]!));
    }
  }

  // 3. Tensors and constants.
  const bin = new BinWriter();
  const tensors: TensorIR[] = ir.tensors.map((t) => {
    const q = act.get(t.id);
    const base: TensorIR = { id: t.id, name: t.name, dtype: 'int8', shape: t.shape.slice() };
    if (q) base.quant = { scale: [q.scale], zeroPoint: [q.zeroPoint] };
    return base;
  });
  const ops: OpIR[] = ir.ops.map((op): OpIR => {
    const inQ = act.get(op.inputs[0])!;
    const outQ = act.get(op.outputs[0])!;
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
      case 'FULLY_CONNECTED': {
        const filterId = op.inputs[1];
        const biasId = op.inputs[2];
        const w = constFloat32(float, filterId);
        const b = constFloat32(float, biasId);
        const channels = b.length;
        const axis = op.op === 'DEPTHWISE_CONV_2D' ? 3 : 0;
        const per = w.length / channels;
        const at = (c: number, k: number): number => (axis === 3 ? k * channels + c : c * per + k);
        const wScale: number[] = [];
        const wq = new Int8Array(w.length);
        const bq = new Int32Array(channels);
        const multiplier: number[] = [];
        const shift: number[] = [];
        for (let c = 0; c < channels; c++) {
          let m = 0;
          for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(w[at(c, k)]!));
          const s = m > 0 ? Math.fround(m / 127) : Math.fround(1);
          wScale.push(s);
          for (let k = 0; k < per; k++) {
            const q = roundHalfAway(w[at(c, k)]! / s);
            wq[at(c, k)] = q < -127 ? -127 : q > 127 ? 127 : q;
          }
          const biasScale = inQ.scale * s;
          const qb = roundHalfAway(b[c]! / biasScale);
          bq[c] = Math.max(-2147483648, Math.min(2147483647, qb));
          const mq = quantizeMultiplier((inQ.scale * s) / outQ.scale);
          multiplier.push(mq.multiplier);
          shift.push(mq.shift);
        }
        const wQuant: QuantParams = { scale: wScale, zeroPoint: wScale.map(() => 0), axis };
        tensors[filterId] = { ...tensors[filterId]!, dtype: 'int8', quant: wQuant, buffer: bin.add(wq) };
        tensors[biasId] = {
          ...tensors[biasId]!,
          dtype: 'int32',
          quant: { scale: wScale.map((s) => Math.fround(inQ.scale * s)), zeroPoint: wScale.map(() => 0), axis: 0 },
          buffer: bin.add(bq),
        };
        const [lo, hi] = activationRange(op.activation, outQ.scale, outQ.zeroPoint);
        const requant: Requant = { multiplier, shift, activationMin: lo, activationMax: hi };
        return { ...op, requant };
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D': {
        const [lo, hi] = activationRange(op.activation, outQ.scale, outQ.zeroPoint);
        return { ...op, activationMin: lo, activationMax: hi };
      }
      case 'RELU':
      case 'RELU6': {
        const mq = quantizeMultiplier(inQ.scale / outQ.scale);
        const [lo, hi] = activationRange(op.op, outQ.scale, outQ.zeroPoint);
        return { ...op, requant: { multiplier: [mq.multiplier], shift: [mq.shift], activationMin: lo, activationMax: hi } };
      }
      case 'LOGISTIC':
      case 'TANH': {
        const f = op.op === 'LOGISTIC' ? (v: number) => 1 / (1 + Math.exp(-v)) : Math.tanh;
        const lut: number[] = [];
        for (let q = -128; q <= 127; q++) lut.push(quantizeValue(f(inQ.scale * (q - inQ.zeroPoint)), outQ.scale, outQ.zeroPoint));
        return { ...op, lut };
      }
      case 'SOFTMAX': {
        // TFLite PreprocessSoftmaxScaling + CalculateInputRadius, 5 integer bits.
        const integerBits = 5;
        const real = Math.min(op.beta * inQ.scale * 2 ** (31 - integerBits), 2 ** 31 - 1);
        const mq = quantizeMultiplier(real);
        if (mq.shift < 0) throw new Error('softmax input scale too small for the int8 kernel');
        const radius = Math.floor(((2 ** integerBits - 1) * 2 ** (31 - integerBits)) / 2 ** mq.shift);
        return { ...op, inputMultiplier: mq.multiplier, inputLeftShift: mq.shift, diffMin: -radius };
      }
      case 'RESHAPE':
        return op;
    }
  });
  const data = bin.finish();
  const out: ModelIR = { ...ir, precision: 'int8', tensors, ops, weightsBytes: data.length };
  return { ir: out, bin: data };
}
