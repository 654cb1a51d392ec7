import type { ModelIR, OpIR, TensorIR } from '@tinyforge/blocks/learn/ir/types';

/** What the estimator needs to know about a network, read off its IR (no code generation). */
export interface NetworkFacts {
  precision: 'int8' | 'float32';
  /** Constant bytes: weights, biases, per-channel requantization, lookup tables. */
  constBytes: number;
  /** Distinct op kinds: each links one kernel into flash. */
  opKinds: number;
  ops: number;
  macs: number;
  /** Elements written by all ops (per-element work: requantize, clamp, store). */
  activationElements: number;
  /** Peak bytes of activations alive at once (no arena is smaller). */
  peakActivationBytes: number;
  inputElements: number;
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const bytesPer = (t: TensorIR): number => (t.dtype === 'float32' || t.dtype === 'int32' ? 4 : 1);
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

function opMacs(ir: ModelIR, op: OpIR): number {
  const t = (id: number) => ir.tensors[id]!;
  switch (op.op) {
    case 'CONV_2D': {
      const [o, kh, kw, i] = t(op.inputs[1]).shape as [number, number, number, number];
      return (count(t(op.outputs[0]).shape) / o) * o * kh * kw * i;
    }
    case 'DEPTHWISE_CONV_2D': {
      const [, kh, kw] = t(op.inputs[1]).shape as [number, number, number, number];
      return count(t(op.outputs[0]).shape) * kh * kw;
    }
    case 'FULLY_CONNECTED':
      return count(t(op.inputs[1]).shape);
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D':
      return count(t(op.outputs[0]).shape) * op.filterH * op.filterW;
    default:
      return 0;
  }
}

export function networkFacts(ir: ModelIR): NetworkFacts {
  let constBytes = 0;
  for (const t of ir.tensors) if (t.buffer) constBytes += t.buffer.length;
  for (const op of ir.ops) {
    const requant = 'requant' in op ? op.requant : undefined;
    if (requant) constBytes += requant.multiplier.length * 8;
    if ('lut' in op && op.lut) constBytes += op.lut.length;
  }
  // Lifetimes: a RESHAPE output aliases its input, so both count as one buffer.
  const alias = new Map<number, number>();
  const root = (id: number): number => alias.get(id) ?? id;
  const first = new Map<number, number>([[ir.input, -1]]);
  const last = new Map<number, number>([[ir.input, -1]]);
  ir.ops.forEach((op, step) => {
    if (op.op === 'RESHAPE') alias.set(op.outputs[0], root(op.inputs[0]));
    for (const id of op.inputs) if (!ir.tensors[id]?.buffer) last.set(root(id), step);
    for (const id of op.outputs) {
      const r = root(id);
      if (!first.has(r)) first.set(r, step);
      last.set(r, Math.max(last.get(r) ?? step, step));
    }
  });
  last.set(root(ir.output), ir.ops.length);
  let peak = 0;
  for (let step = -1; step <= ir.ops.length; step++) {
    let live = 0;
    for (const [id, f] of first) if (f <= step && (last.get(id) ?? f) >= step) live += align4(count(ir.tensors[id]!.shape) * bytesPer(ir.tensors[id]!));
    peak = Math.max(peak, live);
  }
  return {
    precision: ir.precision,
    constBytes,
    opKinds: new Set(ir.ops.filter((o) => o.op !== 'RESHAPE').map((o) => o.op)).size,
    ops: ir.ops.filter((o) => o.op !== 'RESHAPE').length,
    macs: ir.ops.reduce((s, op) => s + opMacs(ir, op), 0),
    activationElements: ir.ops.filter((o) => o.op !== 'RESHAPE').reduce((s, op) => s + count(ir.tensors[op.outputs[0]]!.shape), 0),
    peakActivationBytes: peak,
    inputElements: count(ir.tensors[ir.input]!.shape),
  };
}

/** The DSP front end: what its C emission says (scratch RAM, tables) plus an operation count. */
export interface DspFacts {
  block: string;
  /** Scratch RAM the C entry needs (from the block's emitC). */
  scratchBytes: number;
  /** float32 features the block writes (the network's input buffer). */
  outputBytes: number;
  /** Bytes of `static const` tables in the emitted C (flash). */
  tableBytes: number;
  /** Arithmetic work per window: FFTs, filter banks, DCTs (≈ multiply-adds). */
  work: number;
}

interface EmissionLike {
  sources: Record<string, string>;
  outputSize: number;
  ramBytes: number;
}

const TYPE_BYTES: Record<string, number> = { float: 4, int32_t: 4, uint32_t: 4, int16_t: 2, uint16_t: 2, int8_t: 1, uint8_t: 1, double: 8 };

export function dspFacts(block: string, params: Record<string, unknown>, emission: EmissionLike | undefined, input: { frames: number; frequency: number }): DspFacts {
  let tableBytes = 0;
  if (emission) {
    for (const src of Object.values(emission.sources)) {
      for (const m of src.matchAll(/static\s+const\s+(\w+)\s+\w+\s*\[(\d+)\]/g)) tableBytes += (TYPE_BYTES[m[1]!] ?? 4) * Number(m[2]);
    }
  }
  const num = (k: string, d: number): number => (typeof params[k] === 'number' ? (params[k] as number) : d);
  const fft = num('fft_length', 0);
  let work = input.frames;
  if (fft > 0) {
    const frameLen = Math.round(num('frame_length', 0.02) * input.frequency);
    const stride = Math.max(1, Math.round(num('frame_stride', 0.02) * input.frequency));
    const frames = Math.max(1, Math.floor((input.frames - frameLen) / stride) + 1);
    const bins = fft / 2 + 1;
    const filters = num('num_filters', 0);
    const cepstral = num('num_cepstral', 0);
    work = frames * (frameLen * 2 + fft * Math.log2(fft) * 2 + bins * 2 + bins * filters + filters * cepstral) + frames * cepstral * 2;
  }
  return { block, scratchBytes: emission?.ramBytes ?? 0, outputBytes: (emission?.outputSize ?? 0) * 4, tableBytes, work };
}
