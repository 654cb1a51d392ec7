import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import type { Conv2DOp, DepthwiseConv2DOp, FullyConnectedOp, ModelIR, OpIR, Pool2DOp, Requant, TensorIR } from '@tinyforge/blocks/learn/ir/types';
import { cArrayBody, cFloat, cInt32 } from './c-format.js';
import { checkPlan, checkRowSplitScratch, firstInputByteRead, planMemory, type MemoryPlan, type PlanBuffer, type RowSplitScratch } from './memory-plan.js';

/**
 * Model IR → `model/tf_model.{h,cpp}`: constant weights and op parameters in flash, one static
 * arena planned offline, and `tf_model_invoke()` calling the kernels directly in graph order.
 * Weights are emitted twice where the SIMD kernels want another layout (`#if TF_USE_DSP`); the
 * preprocessor keeps one.
 */

export interface OpSummary {
  index: number;
  op: OpIR['op'];
  output: string;
  macs: number;
  scratchBytes: number;
}

export interface ModelEmission {
  header: string;
  source: string;
  plan: MemoryPlan;
  /** The planned buffers (a convolution scratch in `rowSplits` has none of its own). */
  buffers: PlanBuffer[];
  /** Convolutions run as calls over output-row ranges, their scratch in dead input/output bytes. */
  rowSplits: RowSplitScratch[];
  ops: OpSummary[];
  macs: number;
  /** Bytes of constant data (weights, biases, requantization tables) in the portable layout. */
  constBytes: number;
  /** The static arena: the network's plan, grown when a DSP front end runs in it first. */
  arenaBytes: number;
  /** Where the DSP front end's float features and scratch sit in the arena (with a DSP block). */
  dspLayout?: DspArenaLayout;
}

/** What the DSP front end needs while it runs (nothing of the network is live then). */
export interface DspPhase {
  /** Float features it writes (the model input's element count). */
  featureCount: number;
  /** Its scratch buffer. */
  scratchBytes: number;
}

export interface DspArenaLayout {
  featuresOffset: number;
  scratchOffset: number;
  /** Bytes live at once during the DSP (features + scratch): no arena can hold it in less. */
  lowerBound: number;
}

/**
 * Places the DSP's float features on the input tensor (same offset) and its scratch in the
 * first gap that does not overlap them. Converting the features to the int8 input in place is
 * then safe in ascending order: byte I+j is written after float j was read and lies below
 * float j+1 (I + j < F + 4(j + 1) holds for every j when I ≤ F).
 */
export function dspArenaLayout(inputOffset: number, phase: DspPhase, align = 8): { layout: DspArenaLayout; end: number } {
  const up = (n: number): number => Math.ceil(n / align) * align;
  const featureBytes = phase.featureCount * 4;
  const featuresEnd = inputOffset + featureBytes;
  const scratch = up(phase.scratchBytes);
  const scratchOffset = scratch === 0 || scratch <= inputOffset ? 0 : up(featuresEnd);
  const end = Math.max(up(featuresEnd), scratchOffset + scratch);
  return { layout: { featuresOffset: inputOffset, scratchOffset, lowerBound: up(featureBytes) + scratch }, end };
}

const SUPPORTED = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RESHAPE', 'SOFTMAX', 'LOGISTIC', 'TANH', 'RELU', 'RELU6']);
const ceil4 = (n: number): number => Math.ceil(n / 4) * 4;
const ceil8 = (n: number): number => Math.ceil(n / 8) * 8;
const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
/** Host builds have 8-byte pointers; plan for the larger. */
const POINTER_BYTES = 8;

function tensor(ir: ModelIR, id: number): TensorIR {
  const t = ir.tensors[id];
  if (!t || t.id !== id) throw new Error(`IR has no tensor ${id}`);
  return t;
}

function bytesOf(model: IrModel, t: TensorIR): Uint8Array {
  if (!t.buffer) throw new Error(`tensor ${t.name} has no constant data`);
  return model.bin.slice(t.buffer.offset, t.buffer.offset + t.buffer.length);
}
const int8Of = (m: IrModel, t: TensorIR): Int8Array => new Int8Array(bytesOf(m, t).buffer);
const int32Of = (m: IrModel, t: TensorIR): Int32Array => new Int32Array(bytesOf(m, t).buffer);
const float32Of = (m: IrModel, t: TensorIR): Float32Array => new Float32Array(bytesOf(m, t).buffer);

const dims4 = (t: TensorIR): [number, number, number, number] => {
  if (t.shape.length !== 4) throw new Error(`${t.name}: expected a 4-D tensor, got [${t.shape.join(', ')}]`);
  return t.shape as [number, number, number, number];
};

/** Scratch bytes of an op in the DSP build (the portable kernels need none). Mirrors tf_*_scratch(). */
export function scratchBytes(ir: ModelIR, op: OpIR): number {
  if (ir.precision !== 'int8') return 0;
  if (op.op === 'CONV_2D') {
    const f = dims4(tensor(ir, op.inputs[1]));
    return ceil4(f[1] * f[2] * f[3]) * 4;
  }
  if (op.op === 'DEPTHWISE_CONV_2D') {
    const C = dims4(tensor(ir, op.inputs[0]))[3];
    const f = dims4(tensor(ir, op.inputs[1]));
    if (op.depthMultiplier === 1 && C % 4 === 0) return ceil8(C) + f[1] * f[2] * POINTER_BYTES;
    return 0;
  }
  return 0;
}

function opMacs(ir: ModelIR, op: OpIR): number {
  const out = tensor(ir, op.outputs[0]);
  if (op.op === 'CONV_2D') {
    const f = dims4(tensor(ir, op.inputs[1]));
    return count(out.shape) * f[1] * f[2] * f[3];
  }
  if (op.op === 'DEPTHWISE_CONV_2D') {
    const f = dims4(tensor(ir, op.inputs[1]));
    return count(out.shape) * f[1] * f[2];
  }
  if (op.op === 'FULLY_CONNECTED') return count(tensor(ir, op.inputs[1]).shape);
  return 0;
}

/** Activation buffers (RESHAPE outputs share their input's) and per-op scratch, with lifetimes. */
export function modelBuffers(ir: ModelIR): { buffers: PlanBuffer[]; tensorBuffer: Map<number, string> } {
  const elementBytes = ir.precision === 'int8' ? 1 : 4;
  const root = new Map<number, number>();
  const find = (id: number): number => {
    let r = id;
    while (root.has(r)) r = root.get(r)!;
    return r;
  };
  for (const op of ir.ops) if (op.op === 'RESHAPE') root.set(op.outputs[0], find(op.inputs[0]));
  const span = new Map<number, { first: number; last: number; bytes: number }>();
  const touch = (id: number, t: number): void => {
    const r = find(id);
    const s = span.get(r);
    const bytes = count(tensor(ir, r).shape) * elementBytes;
    if (!s) span.set(r, { first: t, last: t, bytes });
    else {
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
    }
  };
  touch(ir.input, 0);
  ir.ops.forEach((op, i) => {
    touch(op.inputs[0], i + 1);
    touch(op.outputs[0], i + 1);
  });
  touch(ir.output, ir.ops.length + 1);
  const buffers: PlanBuffer[] = [];
  for (const [id, s] of span) buffers.push({ key: `t${id}`, bytes: s.bytes, first: s.first, last: s.last });
  ir.ops.forEach((op, i) => {
    const bytes = scratchBytes(ir, op);
    if (bytes > 0) buffers.push({ key: `s${i}`, bytes, first: i + 1, last: i + 1 });
  });
  const tensorBuffer = new Map<number, string>();
  for (const t of ir.tensors) if (!t.buffer) tensorBuffer.set(t.id, `t${find(t.id)}`);
  return { buffers, tensorBuffer };
}

/** A (depthwise) convolution's row split without arena offsets: rows [0, y1) put the scratch at the end of
 * the output (rows not written yet), rows [y1, out_h) at the start of the input (rows no later
 * output row reads). y1 = 0 or out_h is one call. */
interface SplitChoice {
  split: Omit<RowSplitScratch, 'ranges'>;
  y1: number;
  /** Scratch offset inside the output buffer for rows [0, y1). */
  tail: number;
}

function convRowSplit(ir: ModelIR, op: OpIR, index: number, buffers: readonly PlanBuffer[], tensorBuffer: ReadonlyMap<number, string>, align: number): SplitChoice | undefined {
  const bytes = scratchBytes(ir, op);
  if ((op.op !== 'CONV_2D' && op.op !== 'DEPTHWISE_CONV_2D') || bytes === 0) return undefined;
  const time = index + 1;
  const input = tensorBuffer.get(op.inputs[0])!;
  const output = tensorBuffer.get(op.outputs[0])!;
  const inB = buffers.find((b) => b.key === input);
  const outB = buffers.find((b) => b.key === output);
  // Only bytes nobody reads after the op can host it.
  if (!inB || !outB || inB.last !== time || outB.first !== time) return undefined;
  const [, , W, C] = dims4(tensor(ir, op.inputs[0]));
  const [, OH, OW, CO] = dims4(tensor(ir, op.outputs[0]));
  const conv = op as Conv2DOp | DepthwiseConv2DOp;
  const split = { key: `s${index}`, time, bytes, input, output, inRowBytes: W * C, outRowBytes: OW * CO, outRows: OH, strideH: conv.strideH, padTop: conv.padTop };
  const tail = Math.floor((outB.bytes - bytes) / align) * align;
  const valid: number[] = [];
  for (let y1 = 0; y1 <= OH; y1++) {
    const early = y1 === 0 || (tail >= 0 && y1 * split.outRowBytes <= tail);
    const late = y1 === OH || bytes <= Math.min(firstInputByteRead(split, y1), inB.bytes);
    if (early && late) valid.push(y1);
  }
  if (valid.length === 0) return undefined;
  // One call if it can; else a split keeping the SIMD kernel's pixel pairs (even pixel count).
  const y1 = valid.find((y) => y === 0 || y === OH) ?? valid.find((y) => (y * OW) % 2 === 0) ?? valid[0]!;
  return { split, y1, tail };
}

/**
 * The network's plan: every scratch in a buffer of its own, or each (depthwise) convolution scratch that fits
 * in dead input/output bytes (row splits) left out of the plan — whichever arena is smaller
 * (the split costs a kernel call per extra range, so it is used only when it saves bytes).
 */
export function planModel(ir: ModelIR, align = 8): { plan: MemoryPlan; buffers: PlanBuffer[]; rowSplits: RowSplitScratch[]; tensorBuffer: Map<number, string> } {
  const { buffers, tensorBuffer } = modelBuffers(ir);
  const whole = planMemory(buffers, align);
  checkPlan(buffers, whole);
  const choices = ir.ops.map((op, i) => convRowSplit(ir, op, i, buffers, tensorBuffer, align)).filter((c): c is SplitChoice => c !== undefined);
  if (choices.length > 0) {
    const hosted = new Set(choices.map((c) => c.split.key));
    const rest = buffers.filter((b) => !hosted.has(b.key));
    const plan = planMemory(rest, align);
    if (plan.arenaBytes < whole.arenaBytes) {
      const rowSplits = choices.map(({ split, y1, tail }): RowSplitScratch => {
        const ranges: RowSplitScratch['ranges'] = [];
        if (y1 > 0) ranges.push({ y0: 0, y1, offset: plan.offsets.get(split.output)! + tail });
        if (y1 < split.outRows) ranges.push({ y0: y1, y1: split.outRows, offset: plan.offsets.get(split.input)! });
        return { ...split, ranges };
      });
      checkPlan(rest, plan);
      checkRowSplitScratch(rest, plan, rowSplits);
      return { plan, buffers: rest, rowSplits, tensorBuffer };
    }
  }
  return { plan: whole, buffers, rowSplits: [], tensorBuffer };
}

/** Weights of a conv/dense in the SIMD layout: rows padded to a multiple of 4 values, an even
 * row count, rows (2j, 2j+1) interleaved per group of 4 values; with `reorder` every group is
 * stored as (w0, w2, w1, w3) to meet natural-order im2col columns (the kernel builds those only
 * for k_h > 1 with in_c % 4 != 0 and k_w * in_c % 4 != 0; everything else reads words). */
export function dspRows(w: Int8Array, rows: number, k: number, reorder: boolean): Int8Array {
  const kp = ceil4(k);
  const pairs = Math.ceil(rows / 2);
  const out = new Int8Array(pairs * 2 * kp);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < k; i++) {
      const j = reorder ? (i & ~3) | ((i & 1) << 1) | ((i >> 1) & 1) : i;
      const pair = r >> 1;
      out[pair * 2 * kp + (j >> 2) * 8 + (r & 1) * 4 + (j & 3)] = w[r * k + i]!;
    }
  return out;
}

/** Depthwise weights for the SIMD kernel: int16, per 4-channel group, per tap (c0, c2, c1, c3). */
export function dspDepthwise(w: Int8Array, taps: number, channels: number): Int16Array {
  const out = new Int16Array(taps * channels);
  for (let t = 0; t < taps; t++)
    for (let c = 0; c < channels; c++) {
      const j = ((c & 1) << 1) | ((c >> 1) & 1);
      out[(c >> 2) * taps * 4 + t * 4 + j] = w[t * channels + c]!;
    }
  return out;
}

/** [rows][cols] → [cols][rows]. */
function transpose(w: Int8Array, rows: number, cols: number): Int8Array {
  const out = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** bias − zp·Σw per channel, wrapping like int32 (the SIMD depthwise and dense kernels' folded
 * bias); w is [taps][channels]. */
export function foldedBias(bias: Int32Array, w: Int8Array, taps: number, channels: number, zp: number): Int32Array {
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let t = 0; t < taps; t++) s += w[t * channels + c]!;
    out[c] = (bias[c]! - Math.imul(zp, s)) | 0;
  }
  return out;
}

class Source {
  lines: string[] = [];
  constBytes = 0;
  push(s: string): void {
    this.lines.push(s);
  }
  array(ctype: string, name: string, values: ArrayLike<number | string>, bytesPer: number, countBytes = true): void {
    if (countBytes) this.constBytes += values.length * bytesPer;
    this.lines.push(`static const ${ctype} ${name}[${values.length}] TF_ALIGNED(4) = {\n${cArrayBody(values)}\n};`);
  }
}

function requantFields(src: Source, name: string, r: Requant, zpOut: number): string {
  for (const m of r.multiplier) if (!Number.isInteger(m) || m < 0 || m > 2147483647) throw new Error(`${name}: multiplier ${m} outside [0, 2^31)`);
  for (const s of r.shift) if (!Number.isInteger(s) || s < -31 || s > 31) throw new Error(`${name}: shift ${s} outside [-31, 31]`);
  // Every channel shifting right by 2 or more: the kernels' one-step form (tf_mbqm_fast).
  if (r.shift.every((s) => s <= -2)) {
    src.array('int32_t', `${name}_rqf`, r.multiplier.flatMap((m, c) => [cInt32(m), cInt32(2 ** (-r.shift[c]! - 2))]), 4);
    src.array('uint8_t', `${name}_rqs`, r.shift.map((s) => -s - 1), 1);
    return `{ 0, 0, ${zpOut}, ${r.activationMin}, ${r.activationMax}, ${name}_rqf, ${name}_rqs }`;
  }
  src.array('int32_t', `${name}_mult`, r.multiplier.map(cInt32), 4);
  src.array('int8_t', `${name}_shift`, r.shift, 1);
  return `{ ${name}_mult, ${name}_shift, ${zpOut}, ${r.activationMin}, ${r.activationMax}, 0, 0 }`;
}

function actRange(a: string): [string, string] {
  if (a === 'RELU') return ['0.0f', 'INFINITY'];
  if (a === 'RELU6') return ['0.0f', '6.0f'];
  return ['-INFINITY', 'INFINITY'];
}

export function emitModel(model: IrModel, dsp?: DspPhase): ModelEmission {
  const { ir } = model;
  if (ir.precision !== 'int8' && ir.precision !== 'float32') throw new Error(`unknown precision ${String(ir.precision)}`);
  for (const op of ir.ops) if (!SUPPORTED.has(op.op)) throw new Error(`the C++ target has no kernel for ${op.op}`);
  const int8 = ir.precision === 'int8';
  const { plan, buffers, rowSplits, tensorBuffer } = planModel(ir);
  const at = (tensorId: number): number => plan.offsets.get(tensorBuffer.get(tensorId)!)!;
  const dspPlaced = dsp ? dspArenaLayout(at(ir.input), dsp) : undefined;
  const arenaBytes = Math.max(plan.arenaBytes, dspPlaced?.end ?? 0);
  const dspLayout = dspPlaced?.layout;
  const ctype = int8 ? 'int8_t' : 'float';
  const ptr = (id: number, konst: boolean): string => `(${konst ? 'const ' : ''}${ctype} *)(tf_arena + ${at(id)})`;
  const src = new Source();
  const calls: string[] = [];
  const ops: OpSummary[] = [];

  ir.ops.forEach((op, i) => {
    const n = `op${i}`;
    const inT = tensor(ir, op.inputs[0]);
    const outT = tensor(ir, op.outputs[0]);
    const zpIn = inT.quant?.zeroPoint[0] ?? 0;
    const zpOut = outT.quant?.zeroPoint[0] ?? 0;
    const scratch = scratchBytes(ir, op);
    const rowSplit = rowSplits.find((r) => r.key === `s${i}`);
    const scratchArg = scratch > 0 && !rowSplit ? `tf_arena + ${plan.offsets.get(`s${i}`)}` : '0';
    const io = `${ptr(op.inputs[0], true)}, ${ptr(op.outputs[0], false)}`;
    src.push(`/* ${n}: ${op.op} ${inT.name} [${inT.shape.join(',')}] -> ${outT.name} [${outT.shape.join(',')}] */`);
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const conv = op as Conv2DOp | DepthwiseConv2DOp;
        const [, H, W, C] = dims4(inT);
        const [, OH, OW, CO] = dims4(outT);
        const fT = tensor(ir, op.inputs[1]);
        const f = dims4(fT);
        const KH = f[1];
        const KW = f[2];
        const dw = op.op === 'DEPTHWISE_CONV_2D';
        const M = dw ? (op as DepthwiseConv2DOp).depthMultiplier : 1;
        const bT = tensor(ir, op.inputs[2]);
        const geometry = `${H}, ${W}, ${C}, ${OH}, ${OW}, ${CO}, ${KH}, ${KW}, ${conv.strideH}, ${conv.strideW}, ${conv.padTop}, ${conv.padLeft}, ${M}`;
        if (int8) {
          const w = int8Of(model, fT);
          const b = int32Of(model, bT);
          const k = KH * KW * C;
          const kp = dw ? 0 : ceil4(k);
          const hasDsp = !dw || (M === 1 && C % 4 === 0);
          // Arrays only one build reads sit under its #if (no unused constants for clang -Werror).
          if (hasDsp) {
            src.push('#if TF_USE_DSP');
            if (!dw) src.array('int8_t', `${n}_wd`, dspRows(w, CO, k, C % 4 !== 0 && KH !== 1 && (KW * C) % 4 !== 0), 1, false);
            else {
              src.array('int16_t', `${n}_wd`, dspDepthwise(w, KH * KW, CO), 2, false);
              src.array('int32_t', `${n}_bd`, Array.from(foldedBias(b, w, KH * KW, CO, zpIn), cInt32), 4, false);
            }
            src.push('#else');
          }
          src.array('int8_t', `${n}_w`, w, 1);
          if (dw && hasDsp) src.array('int32_t', `${n}_b`, Array.from(b, cInt32), 4);
          if (hasDsp) src.push('#endif');
          if (!(dw && hasDsp)) src.array('int32_t', `${n}_b`, Array.from(b, cInt32), 4);
          const rq = requantFields(src, n, conv.requant!, zpOut);
          const wName = hasDsp ? `TF_DSP_SELECT(${n}_wd, ${n}_w)` : `${n}_w`;
          const bName = dw && hasDsp ? `TF_DSP_SELECT(${n}_bd, ${n}_b)` : `${n}_b`;
          src.push(`static const tf_conv_s8_t ${n} = { ${geometry}, ${zpIn}, ${wName}, ${bName}, ${rq}, ${kp} };`);
          if (rowSplit) for (const r of rowSplit.ranges) calls.push(`  ${dw ? 'tf_dwconv_s8_rows' : 'tf_conv_s8_rows'}(&${n}, ${io}, tf_arena + ${r.offset}, ${r.y0}, ${r.y1});`);
          else calls.push(`  ${dw ? 'tf_dwconv_s8' : 'tf_conv_s8'}(&${n}, ${io}, ${scratchArg});`);
        } else {
          src.array('float', `${n}_w`, Array.from(float32Of(model, fT), cFloat), 4);
          src.array('float', `${n}_b`, Array.from(float32Of(model, bT), cFloat), 4);
          const [lo, hi] = actRange(conv.activation);
          src.push(`static const tf_conv_f32_t ${n} = { ${geometry}, ${n}_w, ${n}_b, ${lo}, ${hi} };`);
          calls.push(`  ${dw ? 'tf_dwconv_f32' : 'tf_conv_f32'}(&${n}, ${io});`);
        }
        break;
      }
      case 'FULLY_CONNECTED': {
        const fc = op as FullyConnectedOp;
        const fT = tensor(ir, op.inputs[1]);
        const [O, N] = fT.shape as [number, number];
        const bT = tensor(ir, op.inputs[2]);
        if (int8) {
          const w = int8Of(model, fT);
          src.push('#if TF_USE_DSP');
          src.array('int8_t', `${n}_wd`, dspRows(w, O, N, false), 1, false);
          src.array('int32_t', `${n}_bd`, Array.from(foldedBias(int32Of(model, bT), transpose(w, O, N), N, O, zpIn), cInt32), 4, false);
          src.push('#else');
          src.array('int8_t', `${n}_w`, w, 1);
          src.array('int32_t', `${n}_b`, Array.from(int32Of(model, bT), cInt32), 4);
          src.push('#endif');
          const rq = requantFields(src, n, fc.requant!, zpOut);
          src.push(`static const tf_fc_s8_t ${n} = { ${N}, ${O}, ${zpIn}, TF_DSP_SELECT(${n}_wd, ${n}_w), TF_DSP_SELECT(${n}_bd, ${n}_b), ${rq}, ${ceil4(N)} };`);
          calls.push(`  tf_fc_s8(&${n}, ${io}, ${scratchArg});`);
        } else {
          src.array('float', `${n}_w`, Array.from(float32Of(model, fT), cFloat), 4);
          src.array('float', `${n}_b`, Array.from(float32Of(model, bT), cFloat), 4);
          const [lo, hi] = actRange(fc.activation);
          src.push(`static const tf_fc_f32_t ${n} = { ${N}, ${O}, ${n}_w, ${n}_b, ${lo}, ${hi} };`);
          calls.push(`  tf_fc_f32(&${n}, ${io});`);
        }
        break;
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D': {
        const pool = op as Pool2DOp;
        const [, H, W, C] = dims4(inT);
        const [, OH, OW] = dims4(outT);
        const lo = pool.activationMin ?? -128;
        const hi = pool.activationMax ?? 127;
        src.push(`static const tf_pool_t ${n} = { ${H}, ${W}, ${C}, ${OH}, ${OW}, ${pool.filterH}, ${pool.filterW}, ${pool.strideH}, ${pool.strideW}, ${pool.padTop}, ${pool.padLeft}, ${lo}, ${hi} };`);
        const kind = op.op === 'MAX_POOL_2D' ? 'maxpool' : 'avgpool';
        calls.push(`  tf_${kind}_${int8 ? 's8' : 'f32'}(&${n}, ${io});`);
        if (!int8 && pool.activation !== 'NONE') {
          const [alo, ahi] = actRange(pool.activation);
          calls.push(`  tf_clamp_f32(${count(outT.shape)}, ${alo}, ${ahi}, ${ptr(op.outputs[0], true)}, ${ptr(op.outputs[0], false)});`);
        }
        break;
      }
      case 'SOFTMAX': {
        const D = outT.shape[outT.shape.length - 1]!;
        const rows = count(outT.shape) / D;
        if (int8) {
          src.push(`static const tf_softmax_s8_t ${n} = { ${rows}, ${D}, ${cInt32(op.inputMultiplier!)}, ${op.inputLeftShift!}, ${cInt32(op.diffMin!)} };`);
          calls.push(`  tf_softmax_s8(&${n}, ${io});`);
        } else calls.push(`  tf_softmax_f32(${rows}, ${D}, ${cFloat(op.beta)}, ${io});`);
        break;
      }
      case 'LOGISTIC':
      case 'TANH':
        if (int8) {
          src.array('int8_t', `${n}_lut`, op.lut!, 1);
          calls.push(`  tf_lut_s8(${count(outT.shape)}, ${n}_lut, ${io});`);
        } else calls.push(`  tf_${op.op === 'TANH' ? 'tanh' : 'logistic'}_f32(${count(outT.shape)}, ${io});`);
        break;
      case 'RELU':
      case 'RELU6':
        if (int8) {
          const rq = requantFields(src, n, op.requant!, zpOut);
          src.push(`static const tf_requant_t ${n}_rq = ${rq};`);
          calls.push(`  tf_requant_s8(${count(outT.shape)}, ${zpIn}, &${n}_rq, ${io});`);
        } else calls.push(`  tf_clamp_f32(${count(outT.shape)}, 0.0f, ${op.op === 'RELU6' ? '6.0f' : 'INFINITY'}, ${io});`);
        break;
      case 'RESHAPE':
        calls.push(`  /* ${n}: RESHAPE shares its input's buffer */`);
        break;
    }
    calls.push(`  if (observer) observer(${op.outputs[0]}, tf_arena + ${at(op.outputs[0])}, ${count(outT.shape) * (int8 ? 1 : 4)});`);
    ops.push({ index: i, op: op.op, output: outT.name, macs: opMacs(ir, op), scratchBytes: scratch });
  });

  const inT = tensor(ir, ir.input);
  const outT = tensor(ir, ir.output);
  const macs = ops.reduce((a, o) => a + o.macs, 0);
  const header = `/* Generated by tinyforge (C++ target). Do not edit. */
#ifndef TF_MODEL_H
#define TF_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TF_MODEL_INT8 ${int8 ? 1 : 0}
#define TF_MODEL_ARENA_SIZE ${arenaBytes}
#define TF_MODEL_NN_ARENA_SIZE ${plan.arenaBytes}
#define TF_MODEL_ARENA_LOWER_BOUND ${plan.lowerBound}
#define TF_MODEL_INPUT_COUNT ${count(inT.shape)}
#define TF_MODEL_OUTPUT_COUNT ${count(outT.shape)}
#define TF_MODEL_INPUT_SCALE ${cFloat(inT.quant?.scale[0] ?? 1)}
#define TF_MODEL_INPUT_ZERO_POINT ${inT.quant?.zeroPoint[0] ?? 0}
#define TF_MODEL_OUTPUT_SCALE ${cFloat(outT.quant?.scale[0] ?? 1)}
#define TF_MODEL_OUTPUT_ZERO_POINT ${outT.quant?.zeroPoint[0] ?? 0}
#define TF_MODEL_OP_COUNT ${ir.ops.length}
#define TF_MODEL_MACS ${macs}

/* Sees every op's output (tensor id, bytes) after the op ran; for layer-by-layer checks. */
typedef void (*tf_observer_t)(int32_t tensor_id, const void *data, size_t bytes);

/* The input tensor (${int8 ? 'int8, quantized' : 'float'}), to fill before tf_model_invoke(). */
${ctype} *tf_model_input(void);
/* The output tensor, valid after tf_model_invoke(). */
const ${ctype} *tf_model_output(void);
int tf_model_invoke(void);
int tf_model_invoke_observed(tf_observer_t observer);
${dspLayout ? `
/* The DSP front end runs in the arena before the network (nothing of it is live then): its
 * float features start at the input tensor, so they convert to the input in place (ascending),
 * and its scratch lies beside them. Running the DSP clobbers the network's tensors. */
#define TF_MODEL_DSP_IN_ARENA 1
#define TF_MODEL_DSP_FEATURES_OFFSET ${dspLayout.featuresOffset}
#define TF_MODEL_DSP_SCRATCH_OFFSET ${dspLayout.scratchOffset}
#define TF_MODEL_DSP_LOWER_BOUND ${dspLayout.lowerBound}
float *tf_model_dsp_features(void);
float *tf_model_dsp_scratch(void);
` : ''}
#ifdef __cplusplus
}
#endif
#endif
`;
  const source = `/* Generated by tinyforge (C++ target). Do not edit.
 * ${ir.ops.length} ops, ${macs} MACs; arena ${plan.arenaBytes} B (lower bound ${plan.lowerBound} B, plan: ${plan.strategy}${rowSplits.length > 0 ? `; ${rowSplits.map((r) => `op${r.key.slice(1)}`).join(', ')} run by output-row ranges, their scratch in input/output bytes dead meanwhile` : ''})${dspLayout ? `, ${arenaBytes} B with the DSP front end (its features + scratch: ${dspLayout.lowerBound} B)` : ''}. */
#include <math.h>
#include "tf_model.h"
#include "tinyforge-sdk/tf_kernels.h"
#include "tinyforge-sdk/tf_dsp.h"

#if defined(__GNUC__)
#define TF_ALIGNED(n) __attribute__((aligned(n)))
#else
#define TF_ALIGNED(n)
#endif
#if TF_USE_DSP
#define TF_DSP_SELECT(dsp, portable) dsp
#else
#define TF_DSP_SELECT(dsp, portable) portable
#endif

static uint8_t tf_arena[TF_MODEL_ARENA_SIZE > 0 ? TF_MODEL_ARENA_SIZE : 1] TF_ALIGNED(8);

${src.lines.join('\n')}

extern "C" {

${ctype} *tf_model_input(void) { return (${ctype} *)(tf_arena + ${at(ir.input)}); }
const ${ctype} *tf_model_output(void) { return (const ${ctype} *)(tf_arena + ${at(ir.output)}); }
${dspLayout ? `float *tf_model_dsp_features(void) { return (float *)(void *)(tf_arena + ${dspLayout.featuresOffset}); }
float *tf_model_dsp_scratch(void) { return (float *)(void *)(tf_arena + ${dspLayout.scratchOffset}); }
` : ''}
int tf_model_invoke_observed(tf_observer_t observer) {
${calls.join('\n')}
  return 0;
}

int tf_model_invoke(void) { return tf_model_invoke_observed(0); }

} /* extern "C" */
`;
  return { header, source, plan, buffers, rowSplits, ops, macs, constBytes: src.constBytes, arenaBytes, ...(dspLayout ? { dspLayout } : {}) };
}
