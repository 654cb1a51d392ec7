import { describe, expect, it } from 'vitest';
import { BinWriter, type IrModel } from './model.js';
import { runInt8, runInt8Op, runFloat, quantizeInput, dequantizeOutput } from './interpreter.js';
import { IR_FORMAT, IR_VERSION, type OpIR, type TensorIR } from './types.js';
import { buildNetwork } from '../nn/network.js';
import { Rng } from '../nn/rng.js';
import { parseLayers, type LayerSpecInput } from '../nn/spec.js';
import { predict, train, trainingSchema } from '../nn/train.js';
import { lowerToFloatIr } from './lower.js';
import { quantizeModel, chooseActivationQuant } from './quantize.js';
import { loadModelIr } from './load.js';

/** A one-op int8 model built by hand. */
function int8Model(tensors: Omit<TensorIR, 'id'>[], op: OpIR, consts: Record<number, Int8Array | Int32Array>): IrModel {
  const bin = new BinWriter();
  const ts: TensorIR[] = tensors.map((t, id) => ({ ...t, id, ...(consts[id] ? { buffer: bin.add(consts[id]!) } : {}) }));
  const data = bin.finish();
  return {
    ir: { format: IR_FORMAT, version: IR_VERSION, precision: 'int8', task: 'classification', labels: [], dsp: null, featureShape: [], input: 0, output: op.outputs[0], tensors: ts, ops: [op], weightsBytes: data.length },
    bin: data,
  };
}
const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });

describe('int8 ops against hand-worked examples', () => {
  it('FULLY_CONNECTED: zero points, int32 bias, per-channel double-rounded requantization, fused RELU clamp', () => {
    // x = [3, −5], zp −1 → (4, −4). Row 0: w = [10, 20], bias 7 → acc = 7 + 40 − 80 = −33;
    // ×0.25 (M = 2^30, shift −1): SRDHM(−33) = −16 (−16.5 ties up), /2 → −8; + zpOut 5 → −3.
    // Row 1: w = [1, −1], bias 1 → acc = 1 + 4 + 4 = 9; ×0.75·2 (M = 0.75·2^31, shift 1): 9·2 = 18,
    // SRDHM(18, 0.75) = 13.5 → 14; + 5 = 19. Row 2 like row 0 with RELU: clamp at zp 5 → 5.
    const m = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 2], quant: q(0.5, -1) },
        { name: 'w', dtype: 'int8', shape: [3, 2] },
        { name: 'b', dtype: 'int32', shape: [3] },
        { name: 'y', dtype: 'int8', shape: [1, 3], quant: q(0.1, 5) },
      ],
      { op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], activation: 'NONE', requant: { multiplier: [1 << 30, 1610612736, 1 << 30], shift: [-1, 1, -1], activationMin: -128, activationMax: 127 } },
      { 1: Int8Array.from([10, 20, 1, -1, 10, 20]), 2: Int32Array.from([7, 1, 7]) },
    );
    expect(Array.from(runInt8(m, Int8Array.from([3, -5])))).toEqual([-3, 19, -3]);
    m.ir.ops[0] = { ...(m.ir.ops[0] as OpIR & { op: 'FULLY_CONNECTED' }), requant: { multiplier: [1 << 30, 1610612736, 1 << 30], shift: [-1, 1, -1], activationMin: 5, activationMax: 127 } };
    expect(Array.from(runInt8(m, Int8Array.from([3, -5])))).toEqual([5, 19, 5]);
  });

  it('CONV_2D with same padding: padded cells add nothing (not (0 − zp)·w)', () => {
    // 1×3 input [1, 2, 3] with zp 1 → (0, 1, 2); kernel 1×3 [1, 1, 1], pad 1:
    // out0 = 0 + 1 = 1, out1 = 0 + 1 + 2 = 3, out2 = 1 + 2 = 3; multiplier 1.0 (M = 2^30, shift 1); zp 0.
    const m = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 1, 3, 1], quant: q(1, 1) },
        { name: 'w', dtype: 'int8', shape: [1, 1, 3, 1] },
        { name: 'b', dtype: 'int32', shape: [1] },
        { name: 'y', dtype: 'int8', shape: [1, 1, 3, 1], quant: q(1, 0) },
      ],
      { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], activation: 'NONE', strideH: 1, strideW: 1, padTop: 0, padLeft: 1, padding: 'same', requant: { multiplier: [1 << 30], shift: [1], activationMin: -128, activationMax: 127 } },
      { 1: Int8Array.from([1, 1, 1]), 2: Int32Array.from([0]) },
    );
    expect(Array.from(runInt8(m, Int8Array.from([1, 2, 3])))).toEqual([1, 3, 3]);
  });

  it('DEPTHWISE_CONV_2D with multiplier 2 reads channel co / 2', () => {
    // 1×1 input, 2 channels [2, −3] (zp 0); filter [1,1,1,4] = [1, 2, 3, 4] → acc [2, 4, −9, −12]; ×1.
    const m = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 1, 1, 2], quant: q(1, 0) },
        { name: 'w', dtype: 'int8', shape: [1, 1, 1, 4] },
        { name: 'b', dtype: 'int32', shape: [4] },
        { name: 'y', dtype: 'int8', shape: [1, 1, 1, 4], quant: q(1, 0) },
      ],
      { op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], activation: 'NONE', depthMultiplier: 2, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padding: 'valid', requant: { multiplier: [1 << 30, 1 << 30, 1 << 30, 1 << 30], shift: [1, 1, 1, 1], activationMin: -128, activationMax: 127 } },
      { 1: Int8Array.from([1, 2, 3, 4]), 2: Int32Array.from([0, 0, 0, 0]) },
    );
    expect(Array.from(runInt8(m, Int8Array.from([2, -3])))).toEqual([2, 4, -9, -12]);
  });

  it('standalone RELU requantizes (×2 here) and clamps at the output zero point; LUT ops index by q + 128', () => {
    const relu = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 3], quant: q(0.5, 10) },
        { name: 'y', dtype: 'int8', shape: [1, 3], quant: q(0.25, -128) },
      ],
      // in/out = 2 → QuantizeMultiplier(2) = (2^30, shift 2); RELU range [zpOut, 127].
      { op: 'RELU', inputs: [0], outputs: [1], requant: { multiplier: [1 << 30], shift: [2], activationMin: -128, activationMax: 127 } },
      {},
    );
    // q 20 → (20 − 10)·2 = 20 → −108; q 4 → −12 → −140 → clamp −128; q 127 → 234 − 128 = 106.
    expect(Array.from(runInt8(relu, Int8Array.from([20, 4, 127])))).toEqual([-108, -128, 106]);
    const lut = Array.from({ length: 256 }, (_, i) => (i * 7) % 256 - 128);
    const tanh = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 2], quant: q(1, 0) },
        { name: 'y', dtype: 'int8', shape: [1, 2], quant: q(1 / 128, 0) },
      ],
      { op: 'TANH', inputs: [0], outputs: [1], lut },
      {},
    );
    expect(Array.from(runInt8(tanh, Int8Array.from([-128, 1])))).toEqual([lut[0], lut[129]]);
  });

  it('AVERAGE_POOL_2D rounds half away from zero over in-bounds cells; MAX_POOL_2D ignores padding', () => {
    const tensors: Omit<TensorIR, 'id'>[] = [
      { name: 'x', dtype: 'int8', shape: [1, 1, 5, 1], quant: q(1, 0) },
      { name: 'y', dtype: 'int8', shape: [1, 1, 3, 1], quant: q(1, 0) },
    ];
    const win = { filterH: 1, filterW: 2, strideH: 1, strideW: 2, padTop: 0, padLeft: 0, padding: 'same' as const, activation: 'NONE' as const };
    const avg = int8Model(tensors, { op: 'AVERAGE_POOL_2D', inputs: [0], outputs: [1], ...win }, {});
    // [1, 2] → 1.5 → 2; [−1, −2] → −1.5 → −2; [−7] (window hangs over the end: one cell) → −7.
    expect(Array.from(runInt8(avg, Int8Array.from([1, 2, -1, -2, -7])))).toEqual([2, -2, -7]);
    const max = int8Model(tensors, { op: 'MAX_POOL_2D', inputs: [0], outputs: [1], ...win }, {});
    expect(Array.from(runInt8(max, Int8Array.from([1, 2, -1, -2, -128])))).toEqual([2, -1, -128]);
  });

  it('SOFTMAX int8: equal logits give 1/4 each (q = −64); outputs track float softmax within 1 LSB', () => {
    const scale = 0.0625;
    const integerBits = 5;
    const mk = (d: number) => {
      const base = int8Model(
        [
          { name: 'x', dtype: 'int8', shape: [1, d], quant: q(scale, 0) },
          { name: 'y', dtype: 'int8', shape: [1, d], quant: q(1 / 256, -128) },
        ],
        { op: 'RESHAPE', inputs: [0], outputs: [1] },
        {},
      );
      // Softmax params exactly as the quantizer derives them.
      const fq = quantizeModel(
        { ir: { ...base.ir, precision: 'float32', tensors: base.ir.tensors.map((t) => ({ ...t, dtype: 'float32', quant: undefined })) as TensorIR[], ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1], beta: 1 }] }, bin: base.bin },
        [Float32Array.from({ length: d }, (_, i) => (i % 2 ? -8 : 7.9375))],
      );
      return fq;
    };
    const m4 = mk(4);
    const op = m4.ir.ops[0]!;
    expect(op.op).toBe('SOFTMAX');
    if (op.op === 'SOFTMAX') {
      expect(op.inputLeftShift).toBeGreaterThanOrEqual(0);
      expect(op.diffMin).toBeLessThan(0);
      void integerBits;
    }
    expect(Array.from(runInt8Op(m4, op, Int8Array.from([10, 10, 10, 10])))).toEqual([-64, -64, -64, -64]);
    const m10 = mk(10);
    const rng = new Rng(4);
    const inScale = m10.ir.tensors[0]!.quant!.scale[0]!;
    for (let t = 0; t < 200; t++) {
      const xq = Int8Array.from({ length: 10 }, () => rng.int(256) - 128);
      const y = runInt8Op(m10, m10.ir.ops[0]!, xq);
      const xs = Array.from(xq, (v) => v * inScale);
      const mx = Math.max(...xs);
      const e = xs.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, i) => expect(Math.abs(y[i]! - (Math.round((v / s) * 256) - 128))).toBeLessThanOrEqual(1));
    }
  });

  it("SOFTMAX int8 on TFLM's softmax_test 1-D case (input scale 0.1, beta 1) is within its 1-LSB tolerance", () => {
    const base = int8Model(
      [
        { name: 'x', dtype: 'int8', shape: [1, 5], quant: q(0.1, 0) },
        { name: 'y', dtype: 'int8', shape: [1, 5], quant: q(1 / 256, -128) },
      ],
      { op: 'RESHAPE', inputs: [0], outputs: [1] },
      {},
    );
    // Calibrating on [−12.8, 12.7] reproduces input scale 0.1, zero point 0.
    const m = quantizeModel(
      { ir: { ...base.ir, precision: 'float32', tensors: base.ir.tensors.map((t) => ({ ...t, dtype: 'float32', quant: undefined })) as TensorIR[], ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1], beta: 1 }] }, bin: base.bin },
      [Float32Array.from([-12.8, 12.7, 0, 0, 0])],
    );
    expect(m.ir.tensors[0]!.quant).toEqual({ scale: [Math.fround(0.1)], zeroPoint: [0] });
    const y = runInt8Op(m, m.ir.ops[0]!, Int8Array.from([10, 20, 30, 40, 50]));
    const golden = [0.011656231, 0.031684921, 0.086128544, 0.234121657, 0.636408647].map((g) => Math.round(g * 256) - 128);
    Array.from(y).forEach((v, i) => expect(Math.abs(v - golden[i]!)).toBeLessThanOrEqual(1));
  });

  it('activation quantization keeps 0 exactly representable and nudges the zero point', () => {
    expect(chooseActivationQuant(0, 6)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: -128 });
    const qp = chooseActivationQuant(-1, 3);
    expect(qp.scale).toBe(Math.fround(4 / 255));
    expect(qp.zeroPoint).toBe(Math.round(-128 + 1 / (4 / 255)));
  });
});

describe('lowering, float IR and int8 IR on a trained model with every layer type', () => {
  const layers: LayerSpecInput[] = [
    { type: 'reshape', shape: [-1, 4] },
    { type: 'conv1d', filters: 6, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool1d', poolSize: 2, padding: 'same' },
    { type: 'reshape', shape: [-1, 4, 3] },
    { type: 'batchNorm' },
    { type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'relu6' },
    { type: 'dropout', rate: 0.1 },
    { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'relu' },
    { type: 'avgPool2d', poolSize: 2, padding: 'same' },
    { type: 'conv2d', filters: 8, kernelSize: 1, activation: 'tanh' },
    { type: 'globalAvgPool' },
    { type: 'dense', units: 12, activation: 'sigmoid' },
    { type: 'dense', activation: 'softmax' },
  ];
  // 3 classes of 8×4 "spectrograms": a bump at a class-specific row, plus noise.
  const rng = new Rng(21);
  const n = 300;
  const inSize = 32;
  const x = new Float64Array(n * inSize);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < inSize; j++) x[i * inSize + j] = rng.uniform(-0.5, 0.5) + (Math.floor(j / 4) === 2 + 2 * c ? 2 : 0);
  }
  const net = buildNetwork(parseLayers(layers), [inSize], 3, new Rng(1));
  train(net, { x, n, labels }, null, { kind: 'classification', numClasses: 3 }, trainingSchema.parse({ epochs: 15, learningRate: 0.01, validationSplit: 0 }));
  const floatModel = lowerToFloatIr(net, { task: 'classification', labels: ['a', 'b', 'c'], dsp: null });
  const rows = Array.from({ length: n }, (_, i) => Float32Array.from(x.subarray(i * inSize, (i + 1) * inSize)));

  it('float IR (BN folded, activations fused, OHWI weights) reproduces the engine', () => {
    const engineOut = predict(net, x, n);
    let worst = 0;
    rows.forEach((r, i) => {
      const y = runFloat(floatModel, r);
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(y[c]! - engineOut[i * 3 + c]!));
    });
    expect(worst).toBeLessThan(1e-4);
    expect(floatModel.ir.ops.map((o) => o.op)).not.toContain('RELU');
  });

  it('int8 IR agrees with float on the argmax and stays close in probability', () => {
    const int8 = quantizeModel(floatModel, rows.slice(0, 100));
    let agree = 0;
    let worst = 0;
    for (const r of rows) {
      const f = runFloat(floatModel, r);
      const qy = dequantizeOutput(int8, runInt8(int8, quantizeInput(int8, r)));
      const am = (a: ArrayLike<number>) => [0, 1, 2].reduce((b, c) => (a[c]! > a[b]! ? c : b), 0);
      if (am(f) === am(qy)) agree++;
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(f[c]! - qy[c]!));
    }
    expect(agree / rows.length).toBeGreaterThan(0.97);
    expect(worst).toBeLessThan(0.2);
    // The IR survives JSON: scales are float32 values and round-trip exactly.
    const back = JSON.parse(JSON.stringify(int8.ir)) as typeof int8.ir;
    for (const t of back.tensors) for (const s of t.quant?.scale ?? []) expect(Math.fround(s)).toBe(s);
    const again = runInt8(loadModelIr(back, int8.bin), quantizeInput(int8, rows[0]!));
    expect(() => loadModelIr({ ...back, version: 2 }, int8.bin)).toThrow(/IR version 2 is not supported/);
    expect(() => loadModelIr(back, int8.bin.subarray(1))).toThrow(/weights file has/);
    expect(Array.from(again)).toEqual(Array.from(runInt8(int8, quantizeInput(int8, rows[0]!))));
  });
});
