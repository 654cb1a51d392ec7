import { BinWriter, type IrModel } from '@tinyforge/blocks/learn/ir/model';
import { quantizeMultiplier } from '@tinyforge/blocks/learn/ir/fixedpoint';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { IR_FORMAT, IR_VERSION, type OpIR, type Requant, type TensorIR } from '@tinyforge/blocks/learn/ir/types';

/**
 * Random int8 IR chains built by hand, aimed at the corners of the arithmetic: negative and
 * extreme zero points, multipliers of exactly 0.5·2^k (rounding ties on every odd value),
 * positive shifts, biases near ±2^31 (int32 wrap), narrow clamps, odd channel counts, strides,
 * same/valid padding, depth multipliers, every op kind.
 */
export function randomChain(seed: number): IrModel {
  const rng = new Rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
  const bin = new BinWriter();
  const tensors: TensorIR[] = [];
  const ops: OpIR[] = [];
  const zp = (): number => pick([-128, 127, 0, -1, int(-128, 127), int(-128, 127)]);
  const act = (shape: number[]): number => {
    const id = tensors.length;
    tensors.push({ id, name: `t${id}`, dtype: 'int8', shape, quant: { scale: [Math.fround(0.01 + rng.next())], zeroPoint: [zp()] } });
    return id;
  };
  const konst = (name: string, dtype: 'int8' | 'int32', shape: number[], data: Int8Array | Int32Array): number => {
    const id = tensors.length;
    tensors.push({ id, name, dtype, shape, buffer: bin.add(data) });
    return id;
  };
  const requant = (channels: number, outZp: number): Requant => {
    const multiplier: number[] = [];
    const shift: number[] = [];
    // Half the layers keep every shift in [-14, -1] (what trained models have).
    const plain = rng.next() < 0.5;
    for (let c = 0; c < channels; c++) {
      const kind = plain ? 0.5 + rng.next() * 0.5 : rng.next();
      if (plain && rng.next() < 0.3) {
        multiplier.push(1 << 30);
        shift.push(int(-14, -1));
        continue;
      }
      if (kind < 0.3) {
        multiplier.push(1 << 30); // exactly 0.5: ties everywhere
        shift.push(pick([0, 0, -1, -2, int(-10, 0)]));
      } else if (kind < 0.4) {
        const q = quantizeMultiplier(0.5 + rng.next() * 3);
        multiplier.push(q.multiplier);
        shift.push(q.shift); // positive shifts
      } else {
        multiplier.push(int(1 << 30, 2147483647));
        shift.push(int(-14, -4));
      }
    }
    const narrow = rng.next() < 0.25;
    const lo = narrow ? Math.max(-128, outZp + int(-20, 0)) : -128;
    const hi = narrow ? Math.min(127, Math.max(lo, outZp + int(0, 40))) : 127;
    return { multiplier, shift, activationMin: lo, activationMax: hi };
  };
  const bias = (n: number): Int32Array =>
    Int32Array.from({ length: n }, () => {
      const k = rng.next();
      if (k < 0.1) return pick([2147483647 - int(0, 1000), -2147483648 + int(0, 1000)]);
      if (k < 0.5) return int(-(1 << 20), 1 << 20);
      return int(-2000, 2000);
    });
  const weights = (n: number): Int8Array => Int8Array.from({ length: n }, () => (rng.next() < 0.05 ? pick([-127, 127]) : int(-127, 127)));
  const window = (inH: number, inW: number, kh: number, kw: number) => {
    const strideH = int(1, 2);
    const strideW = int(1, 2);
    const padding = pick(['same', 'valid'] as const);
    const dim = (n: number, k: number, s: number): [number, number] => {
      if (padding === 'valid') return [Math.floor((n - k) / s) + 1, 0];
      const out = Math.ceil(n / s);
      return [out, Math.floor(Math.max((out - 1) * s + k - n, 0) / 2)];
    };
    const [oh, padTop] = dim(inH, kh, strideH);
    const [ow, padLeft] = dim(inW, kw, strideW);
    return { oh, ow, win: { strideH, strideW, padTop, padLeft, padding } };
  };

  let cur = act([1, int(2, 7), int(2, 8), pick([1, 3, 4, 8])]);
  const input = cur;
  const steps = int(3, 6);
  for (let s = 0; s < steps; s++) {
    const [, H, W, C] = tensors[cur]!.shape as [number, number, number, number];
    const kind = pick(['conv', 'conv', 'dw', 'dw', 'pool', 'relu', 'lut']);
    if (kind === 'conv' || kind === 'dw') {
      const kh = Math.min(H, int(1, 3));
      const kw = Math.min(W, int(1, 3));
      const { oh, ow, win } = window(H, W, kh, kw);
      if (oh < 1 || ow < 1) continue;
      const M = kind === 'dw' ? pick([1, 1, 2]) : 1;
      const co = kind === 'dw' ? C * M : pick([1, 2, 3, 4, 5, 8]);
      const out = act([1, oh, ow, co]);
      const fShape = kind === 'dw' ? [1, kh, kw, co] : [co, kh, kw, C];
      const f = konst(`w${s}`, 'int8', fShape, weights(fShape.reduce((a, b) => a * b, 1)));
      const b = konst(`b${s}`, 'int32', [co], bias(co));
      const rq = requant(co, tensors[out]!.quant!.zeroPoint[0]!);
      if (kind === 'dw') ops.push({ op: 'DEPTHWISE_CONV_2D', inputs: [cur, f, b], outputs: [out], depthMultiplier: M, activation: 'NONE', requant: rq, ...win });
      else ops.push({ op: 'CONV_2D', inputs: [cur, f, b], outputs: [out], activation: 'NONE', requant: rq, ...win });
      cur = out;
    } else if (kind === 'pool') {
      const kh = Math.min(H, int(1, 3));
      const kw = Math.min(W, int(1, 3));
      const { oh, ow, win } = window(H, W, kh, kw);
      if (oh < 1 || ow < 1) continue;
      const out = act([1, oh, ow, C]);
      tensors[out]!.quant = { ...tensors[cur]!.quant! };
      const narrow = rng.next() < 0.3;
      ops.push({ op: pick(['MAX_POOL_2D', 'AVERAGE_POOL_2D'] as const), inputs: [cur], outputs: [out], filterH: kh, filterW: kw, activation: 'NONE', activationMin: narrow ? int(-128, 0) : -128, activationMax: narrow ? int(0, 127) : 127, ...win });
      cur = out;
    } else if (kind === 'relu') {
      const out = act([1, H, W, C]);
      const outZp = tensors[out]!.quant!.zeroPoint[0]!;
      const rq = requant(1, outZp);
      ops.push({ op: pick(['RELU', 'RELU6'] as const), inputs: [cur], outputs: [out], requant: { ...rq, activationMin: Math.max(-128, Math.min(127, outZp)) } });
      cur = out;
    } else {
      const out = act([1, H, W, C]);
      ops.push({ op: pick(['LOGISTIC', 'TANH'] as const), inputs: [cur], outputs: [out], lut: Array.from({ length: 256 }, () => int(-128, 127)) });
      cur = out;
    }
  }
  // Dense head, then softmax.
  const n = tensors[cur]!.shape.reduce((a, b) => a * b, 1);
  const flat = act([1, n]);
  tensors[flat]!.quant = { ...tensors[cur]!.quant! };
  ops.push({ op: 'RESHAPE', inputs: [cur], outputs: [flat] });
  const units = int(2, 9);
  const dense = act([1, units]);
  const f = konst('fc_w', 'int8', [units, n], weights(units * n));
  const b = konst('fc_b', 'int32', [units], bias(units));
  ops.push({ op: 'FULLY_CONNECTED', inputs: [flat, f, b], outputs: [dense], activation: 'NONE', requant: requant(units, tensors[dense]!.quant!.zeroPoint[0]!) });
  const sm = act([1, units]);
  tensors[sm]!.quant = { scale: [Math.fround(1 / 256)], zeroPoint: [-128] };
  // TFLite softmax prep for a random input scale (as quantize.ts does).
  const inScale = tensors[dense]!.quant!.scale[0]!;
  const real = Math.min(inScale * 2 ** 26, 2 ** 31 - 1);
  const mq = quantizeMultiplier(real);
  const radius = Math.floor((31 * 2 ** 26) / 2 ** mq.shift);
  ops.push({ op: 'SOFTMAX', inputs: [dense], outputs: [sm], beta: 1, inputMultiplier: mq.multiplier, inputLeftShift: mq.shift, diffMin: -radius });
  const data = bin.finish();
  return {
    ir: { format: IR_FORMAT, version: IR_VERSION, precision: 'int8', task: 'classification', labels: Array.from({ length: units }, (_, i) => `l${i}`), dsp: null, featureShape: tensors[input]!.shape.slice(1), input, output: sm, tensors, ops, weightsBytes: data.length },
    bin: data,
  };
}
