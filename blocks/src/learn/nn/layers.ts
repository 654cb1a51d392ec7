import { gemmABt, transpose } from './gemm.js';
import type { Rng } from './rng.js';

/**
 * The training engine's layers: plain loops over Float64Array, batch-major, channels-last.
 * Each layer computes its forward pass, keeps what its backward pass needs, and on backward
 * returns dL/dx while adding dL/dparam into `grad` (the trainer zeroes grads per step).
 * float64 keeps the finite-difference gradient checks tight; weights leave as float32.
 */
export interface Param {
  name: string;
  shape: number[];
  value: Float64Array;
  grad: Float64Array;
  /** false for batch-norm moving statistics (state, not learned by gradient). */
  trainable: boolean;
}

export type LayerKind =
  | 'reshape'
  | 'dense'
  | 'conv2d'
  | 'depthwiseConv2d'
  | 'maxPool2d'
  | 'avgPool2d'
  | 'globalAvgPool'
  | 'dropout'
  | 'batchNorm'
  | 'relu'
  | 'relu6'
  | 'tanh'
  | 'sigmoid'
  | 'softmax';

export interface Layer {
  readonly kind: LayerKind;
  readonly name: string;
  /** Keras-visible shapes (no batch axis). */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly params: Param[];
  forward(x: Float64Array, batch: number, training: boolean): Float64Array;
  /** `needDx` false: the caller discards dL/dx (first trainable layer), so skip computing it. */
  backward(dy: Float64Array, batch: number, needDx?: boolean): Float64Array;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Output size and leading padding of one spatial axis, TensorFlow's rule for 'same'/'valid'. */
export function windowAxis(input: number, kernel: number, stride: number, padding: 'same' | 'valid'): { out: number; padBefore: number } {
  if (padding === 'same') {
    const out = Math.ceil(input / stride);
    const total = Math.max((out - 1) * stride + kernel - input, 0);
    return { out, padBefore: Math.floor(total / 2) };
  }
  return { out: Math.floor((input - kernel) / stride) + 1, padBefore: 0 };
}

/** 2-D window geometry on an [H, W, C] view (1-D layers use H = 1). */
export interface Geometry {
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  OH: number;
  OW: number;
  padT: number;
  padL: number;
  padding: 'same' | 'valid';
}

export function geometry(
  view: [number, number, number],
  kernel: [number, number],
  strides: [number, number],
  padding: 'same' | 'valid',
): Geometry {
  const [H, W, C] = view;
  const v = windowAxis(H, kernel[0], strides[0], padding);
  const h = windowAxis(W, kernel[1], strides[1], padding);
  return { H, W, C, KH: kernel[0], KW: kernel[1], SH: strides[0], SW: strides[1], OH: v.out, OW: h.out, padT: v.padBefore, padL: h.padBefore, padding };
}

function param(name: string, shape: number[], trainable = true): Param {
  const n = sizeOf(shape);
  return { name, shape, value: new Float64Array(n), grad: new Float64Array(n), trainable };
}

/** Keras glorot_uniform. */
function glorot(p: Param, fanIn: number, fanOut: number, rng: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-limit, limit);
}

/** Reuses one buffer per batch size (a layer's output lives until the next step). */
class Buffers {
  private cache = new Map<number, Float64Array>();
  get(size: number, zero: boolean): Float64Array {
    let b = this.cache.get(size);
    if (!b) {
      b = new Float64Array(size);
      this.cache.set(size, b);
    } else if (zero) b.fill(0);
    return b;
  }
}

abstract class Base implements Layer {
  abstract readonly kind: LayerKind;
  readonly params: Param[] = [];
  protected readonly outBuf = new Buffers();
  protected readonly dxBuf = new Buffers();
  protected readonly inSize: number;
  protected readonly outSize: number;
  constructor(
    readonly name: string,
    readonly inShape: readonly number[],
    readonly outShape: readonly number[],
  ) {
    this.inSize = sizeOf(inShape);
    this.outSize = sizeOf(outShape);
  }
  abstract forward(x: Float64Array, batch: number, training: boolean): Float64Array;
  abstract backward(dy: Float64Array, batch: number): Float64Array;
}

/** Reshape / flatten / input: the data is already row-major, so only the shape changes. */
export class Reshape extends Base {
  readonly kind = 'reshape';
  forward(x: Float64Array): Float64Array {
    return x;
  }
  backward(dy: Float64Array): Float64Array {
    return dy;
  }
}

export class Dense extends Base {
  readonly kind = 'dense';
  readonly kernel: Param;
  readonly bias: Param;
  private x: Float64Array = new Float64Array(0);
  constructor(name: string, inShape: readonly number[], units: number, rng: Rng) {
    super(name, inShape, [units]);
    this.kernel = param('kernel', [this.inSize, units]);
    this.bias = param('bias', [units]);
    glorot(this.kernel, this.inSize, units, rng);
    this.params.push(this.kernel, this.bias);
  }
  forward(x: Float64Array, batch: number): Float64Array {
    this.x = x;
    const N = this.inSize;
    const U = this.outSize;
    const w = this.kernel.value;
    const bias = this.bias.value;
    const y = this.outBuf.get(batch * U, false);
    for (let b = 0; b < batch; b++) {
      const yo = b * U;
      for (let u = 0; u < U; u++) y[yo + u] = bias[u]!;
      for (let n = 0; n < N; n++) {
        const xv = x[b * N + n]!;
        if (xv === 0) continue;
        const wo = n * U;
        for (let u = 0; u < U; u++) y[yo + u] = y[yo + u]! + xv * w[wo + u]!;
      }
    }
    return y;
  }
  backward(dy: Float64Array, batch: number, needDx = true): Float64Array {
    const N = this.inSize;
    const U = this.outSize;
    const w = this.kernel.value;
    const gw = this.kernel.grad;
    const gb = this.bias.grad;
    const x = this.x;
    const dx = this.dxBuf.get(batch * N, false);
    for (let b = 0; b < batch; b++) {
      const yo = b * U;
      for (let u = 0; u < U; u++) gb[u] = gb[u]! + dy[yo + u]!;
      for (let n = 0; n < N; n++) {
        const xv = x[b * N + n]!;
        const wo = n * U;
        if (!needDx) {
          if (xv !== 0) for (let u = 0; u < U; u++) gw[wo + u] = gw[wo + u]! + xv * dy[yo + u]!;
          continue;
        }
        let s = 0;
        for (let u = 0; u < U; u++) {
          const g = dy[yo + u]!;
          s += w[wo + u]! * g;
          gw[wo + u] = gw[wo + u]! + xv * g;
        }
        dx[b * N + n] = s;
      }
    }
    return dx;
  }
}

/**
 * Conv2D on [H, W, C] (Conv1D runs here with H = 1). Kernel layout HWIO like Keras, i.e. a
 * [KH·KW·C, F] matrix, so forward and both gradients are three GEMMs over the im2col matrix.
 */
export class Conv2D extends Base {
  readonly kind = 'conv2d';
  readonly kernel: Param;
  readonly bias: Param;
  private col: Float64Array = new Float64Array(0);
  private readonly colBuf = new Buffers();
  private readonly scratch = new Buffers();
  private readonly pointwise: boolean;
  constructor(
    name: string,
    inShape: readonly number[],
    outShape: readonly number[],
    readonly g: Geometry,
    readonly filters: number,
    rng: Rng,
  ) {
    super(name, inShape, outShape);
    this.kernel = param('kernel', [g.KH, g.KW, g.C, filters]);
    this.bias = param('bias', [filters]);
    const rf = g.KH * g.KW;
    glorot(this.kernel, rf * g.C, rf * filters, rng);
    this.params.push(this.kernel, this.bias);
    this.pointwise = g.KH === 1 && g.KW === 1 && g.SH === 1 && g.SW === 1 && g.OH === g.H && g.OW === g.W;
  }
  /** Rows = output positions, columns = the receptive field (zeros where it hangs over the pad). */
  private im2col(x: Float64Array, batch: number): Float64Array {
    if (this.pointwise) return x.subarray(0, batch * this.inSize);
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const K = KH * KW * C;
    const col = this.colBuf.get(batch * OH * OW * K, true);
    for (let b = 0; b < batch; b++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const r = ((b * OH + oy) * OW + ox) * K;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * SH - padT + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * SW - padL + kx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const co = r + (ky * KW + kx) * C;
              for (let c = 0; c < C; c++) col[co + c] = x[xo + c]!;
            }
          }
        }
    return col;
  }
  forward(x: Float64Array, batch: number): Float64Array {
    const { KH, KW, C, OH, OW } = this.g;
    const F = this.filters;
    const K = KH * KW * C;
    const R = batch * OH * OW;
    this.col = this.im2col(x, batch);
    const wt = transpose(this.kernel.value, K, F, this.scratch.get(K * F, false));
    const y = this.outBuf.get(R * F, false);
    gemmABt(this.col, R, K, wt, F, y, false);
    const bias = this.bias.value;
    for (let r = 0; r < R; r++) for (let f = 0; f < F; f++) y[r * F + f] = y[r * F + f]! + bias[f]!;
    return y;
  }
  backward(dy: Float64Array, batch: number, needDx = true): Float64Array {
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const F = this.filters;
    const K = KH * KW * C;
    const R = batch * OH * OW;
    const gb = this.bias.grad;
    for (let r = 0; r < R; r++) for (let f = 0; f < F; f++) gb[f] = gb[f]! + dy[r * F + f]!;
    // dWᵀ[F, K] = dYᵀ · col: long dot products over every output position.
    const dyT = transpose(dy, R, F, this.scratch.get(R * F + 1, false));
    const colT = transpose(this.col, R, K, this.scratch.get(R * K + 2, false));
    const gwt = this.scratch.get(F * K + 3, false);
    gemmABt(dyT, F, R, colT, K, gwt, false);
    const gw = this.kernel.grad;
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) gw[k * F + f] = gw[k * F + f]! + gwt[f * K + k]!;
    if (!needDx) return dy;
    // dcol[R, K] = dY · Wᵀ, then scatter-add the patches back (col2im).
    if (this.pointwise) {
      const dx = this.dxBuf.get(R * K, false);
      gemmABt(dy, R, F, this.kernel.value, K, dx, false);
      return dx;
    }
    const dcol = this.scratch.get(R * K + 4, false);
    gemmABt(dy, R, F, this.kernel.value, K, dcol, false);
    const dx = this.dxBuf.get(batch * H * W * C, true);
    for (let b = 0; b < batch; b++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const r = ((b * OH + oy) * OW + ox) * K;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * SH - padT + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * SW - padL + kx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const co = r + (ky * KW + kx) * C;
              for (let c = 0; c < C; c++) dx[xo + c] = dx[xo + c]! + dcol[co + c]!;
            }
          }
        }
    return dx;
  }
}

/** DepthwiseConv2D: output channel c·M + m reads input channel c. Kernel [KH, KW, C, M]. */
export class DepthwiseConv2D extends Base {
  readonly kind = 'depthwiseConv2d';
  readonly kernel: Param;
  readonly bias: Param;
  private x: Float64Array = new Float64Array(0);
  constructor(
    name: string,
    inShape: readonly number[],
    outShape: readonly number[],
    readonly g: Geometry,
    readonly multiplier: number,
    rng: Rng,
  ) {
    super(name, inShape, outShape);
    this.kernel = param('kernel', [g.KH, g.KW, g.C, multiplier]);
    this.bias = param('bias', [g.C * multiplier]);
    const rf = g.KH * g.KW;
    glorot(this.kernel, rf * g.C, rf * multiplier, rng);
    this.params.push(this.kernel, this.bias);
  }
  forward(x: Float64Array, batch: number): Float64Array {
    this.x = x;
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const M = this.multiplier;
    const CO = C * M;
    const w = this.kernel.value;
    const bias = this.bias.value;
    const y = this.outBuf.get(batch * OH * OW * CO, false);
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const o = ((b * OH + oy) * OW + ox) * CO;
          for (let f = 0; f < CO; f++) y[o + f] = bias[f]!;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * SH - padT + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * SW - padL + kx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const wo = (ky * KW + kx) * CO;
              if (M === 1) for (let f = 0; f < CO; f++) y[o + f] = y[o + f]! + x[xo + f]! * w[wo + f]!;
              else for (let f = 0; f < CO; f++) y[o + f] = y[o + f]! + x[xo + ((f / M) | 0)]! * w[wo + f]!;
            }
          }
        }
      }
    }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const M = this.multiplier;
    const CO = C * M;
    const w = this.kernel.value;
    const gw = this.kernel.grad;
    const gb = this.bias.grad;
    const x = this.x;
    const dx = this.dxBuf.get(batch * H * W * C, true);
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const o = ((b * OH + oy) * OW + ox) * CO;
          for (let f = 0; f < CO; f++) gb[f] = gb[f]! + dy[o + f]!;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * SH - padT + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * SW - padL + kx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const wo = (ky * KW + kx) * CO;
              for (let f = 0; f < CO; f++) {
                const g = dy[o + f]!;
                const xi = M === 1 ? xo + f : xo + ((f / M) | 0);
                gw[wo + f] = gw[wo + f]! + x[xi]! * g;
                dx[xi] = dx[xi]! + w[wo + f]! * g;
              }
            }
          }
        }
      }
    }
    return dx;
  }
}

/** Max or average pooling on [H, W, C]; 'same' padding ignores the pad (TensorFlow semantics). */
export class Pool2D extends Base {
  private argmax = new Int32Array(0);
  private batch = 0;
  constructor(
    readonly kind: 'maxPool2d' | 'avgPool2d',
    name: string,
    inShape: readonly number[],
    outShape: readonly number[],
    readonly g: Geometry,
  ) {
    super(name, inShape, outShape);
  }
  forward(x: Float64Array, batch: number): Float64Array {
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const y = this.outBuf.get(batch * OH * OW * C, false);
    const max = this.kind === 'maxPool2d';
    if (max && this.argmax.length !== y.length) this.argmax = new Int32Array(y.length);
    this.batch = batch;
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const y0 = Math.max(oy * SH - padT, 0);
        const y1 = Math.min(oy * SH - padT + KH, H);
        for (let ox = 0; ox < OW; ox++) {
          const x0 = Math.max(ox * SW - padL, 0);
          const x1 = Math.min(ox * SW - padL + KW, W);
          const o = ((b * OH + oy) * OW + ox) * C;
          for (let c = 0; c < C; c++) {
            if (max) {
              let best = -Infinity;
              let at = -1;
              for (let iy = y0; iy < y1; iy++)
                for (let ix = x0; ix < x1; ix++) {
                  const i = ((b * H + iy) * W + ix) * C + c;
                  if (x[i]! > best) {
                    best = x[i]!;
                    at = i;
                  }
                }
              y[o + c] = best;
              this.argmax[o + c] = at;
            } else {
              let s = 0;
              for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += x[((b * H + iy) * W + ix) * C + c]!;
              y[o + c] = s / ((y1 - y0) * (x1 - x0));
            }
          }
        }
      }
    }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    const { H, W, C, KH, KW, SH, SW, OH, OW, padT, padL } = this.g;
    const dx = this.dxBuf.get(batch * H * W * C, true);
    if (this.kind === 'maxPool2d') {
      const n = this.batch * OH * OW * C;
      for (let i = 0; i < n; i++) dx[this.argmax[i]!] = dx[this.argmax[i]!]! + dy[i]!;
      return dx;
    }
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const y0 = Math.max(oy * SH - padT, 0);
        const y1 = Math.min(oy * SH - padT + KH, H);
        for (let ox = 0; ox < OW; ox++) {
          const x0 = Math.max(ox * SW - padL, 0);
          const x1 = Math.min(ox * SW - padL + KW, W);
          const o = ((b * OH + oy) * OW + ox) * C;
          const inv = 1 / ((y1 - y0) * (x1 - x0));
          for (let c = 0; c < C; c++) {
            const g = dy[o + c]! * inv;
            for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[((b * H + iy) * W + ix) * C + c] = dx[((b * H + iy) * W + ix) * C + c]! + g;
          }
        }
      }
    }
    return dx;
  }
}

/** Mean over every axis but the last (channels). */
export class GlobalAvgPool extends Base {
  readonly kind = 'globalAvgPool';
  forward(x: Float64Array, batch: number): Float64Array {
    const C = this.outSize;
    const P = this.inSize / C;
    const y = this.outBuf.get(batch * C, true);
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) y[b * C + c] = y[b * C + c]! + x[(b * P + p) * C + c]!;
      for (let c = 0; c < C; c++) y[b * C + c] = y[b * C + c]! / P;
    }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    const C = this.outSize;
    const P = this.inSize / C;
    const dx = this.dxBuf.get(batch * this.inSize, false);
    for (let b = 0; b < batch; b++) for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) dx[(b * P + p) * C + c] = dy[b * C + c]! / P;
    return dx;
  }
}

/** Inverted dropout: scales kept units by 1/(1 − rate) while training, identity otherwise. */
export class Dropout extends Base {
  readonly kind = 'dropout';
  private mask: Float64Array = new Float64Array(0);
  private active = false;
  constructor(name: string, shape: readonly number[], readonly rate: number, private readonly rng: Rng) {
    super(name, shape, shape);
  }
  forward(x: Float64Array, batch: number, training: boolean): Float64Array {
    this.active = training && this.rate > 0;
    if (!this.active) return x;
    const n = batch * this.inSize;
    if (this.mask.length < n) this.mask = new Float64Array(n);
    const keep = 1 / (1 - this.rate);
    const y = this.outBuf.get(n, false);
    for (let i = 0; i < n; i++) {
      const m = this.rng.next() >= this.rate ? keep : 0;
      this.mask[i] = m;
      y[i] = x[i]! * m;
    }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    if (!this.active) return dy;
    const n = batch * this.inSize;
    const dx = this.dxBuf.get(n, false);
    for (let i = 0; i < n; i++) dx[i] = dy[i]! * this.mask[i]!;
    return dx;
  }
}

/** Batch normalization over the last axis (Keras defaults: momentum 0.99, epsilon 1e-3). */
export class BatchNorm extends Base {
  readonly kind = 'batchNorm';
  readonly gamma: Param;
  readonly beta: Param;
  readonly movingMean: Param;
  readonly movingVar: Param;
  private xhat: Float64Array = new Float64Array(0);
  private invStd: Float64Array = new Float64Array(0);
  constructor(name: string, shape: readonly number[], readonly momentum: number, readonly epsilon: number) {
    super(name, shape, shape);
    const C = shape[shape.length - 1]!;
    this.gamma = param('gamma', [C]);
    this.beta = param('beta', [C]);
    this.movingMean = param('moving_mean', [C], false);
    this.movingVar = param('moving_variance', [C], false);
    this.gamma.value.fill(1);
    this.movingVar.value.fill(1);
    this.params.push(this.gamma, this.beta, this.movingMean, this.movingVar);
    this.invStd = new Float64Array(C);
  }
  forward(x: Float64Array, batch: number, training: boolean): Float64Array {
    const C = this.gamma.value.length;
    const n = batch * this.inSize;
    const rows = n / C;
    const y = this.outBuf.get(n, false);
    const gamma = this.gamma.value;
    const beta = this.beta.value;
    const invStd = this.invStd;
    if (!training) {
      const mean = this.movingMean.value;
      for (let c = 0; c < C; c++) invStd[c] = 1 / Math.sqrt(this.movingVar.value[c]! + this.epsilon);
      for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < C; c++, i++) y[i] = gamma[c]! * (x[i]! - mean[c]!) * invStd[c]! + beta[c]!;
      return y;
    }
    const mean = new Float64Array(C);
    const vr = new Float64Array(C);
    for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < C; c++, i++) mean[c] = mean[c]! + x[i]!;
    for (let c = 0; c < C; c++) mean[c] = mean[c]! / rows;
    for (let r = 0, i = 0; r < rows; r++)
      for (let c = 0; c < C; c++, i++) {
        const d = x[i]! - mean[c]!;
        vr[c] = vr[c]! + d * d;
      }
    if (this.xhat.length < n) this.xhat = new Float64Array(n);
    const xhat = this.xhat;
    const m = this.momentum;
    for (let c = 0; c < C; c++) {
      vr[c] = vr[c]! / rows;
      invStd[c] = 1 / Math.sqrt(vr[c]! + this.epsilon);
      this.movingMean.value[c] = m * this.movingMean.value[c]! + (1 - m) * mean[c]!;
      this.movingVar.value[c] = m * this.movingVar.value[c]! + (1 - m) * vr[c]!;
    }
    for (let r = 0, i = 0; r < rows; r++)
      for (let c = 0; c < C; c++, i++) {
        const xh = (x[i]! - mean[c]!) * invStd[c]!;
        xhat[i] = xh;
        y[i] = gamma[c]! * xh + beta[c]!;
      }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    const C = this.gamma.value.length;
    const n = batch * this.inSize;
    const rows = n / C;
    const xhat = this.xhat;
    const sumDy = new Float64Array(C);
    const sumDyXhat = new Float64Array(C);
    for (let r = 0, i = 0; r < rows; r++)
      for (let c = 0; c < C; c++, i++) {
        sumDy[c] = sumDy[c]! + dy[i]!;
        sumDyXhat[c] = sumDyXhat[c]! + dy[i]! * xhat[i]!;
      }
    const k = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      this.gamma.grad[c] = this.gamma.grad[c]! + sumDyXhat[c]!;
      this.beta.grad[c] = this.beta.grad[c]! + sumDy[c]!;
      k[c] = (this.gamma.value[c]! * this.invStd[c]!) / rows;
    }
    const dx = this.dxBuf.get(n, false);
    for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < C; c++, i++) dx[i] = k[c]! * (rows * dy[i]! - sumDy[c]! - xhat[i]! * sumDyXhat[c]!);
    return dx;
  }
}

export type ActivationKind = 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softmax';

/** Element-wise activations; softmax runs over the last axis. */
export class ActivationLayer extends Base {
  private x: Float64Array = new Float64Array(0);
  private y: Float64Array = new Float64Array(0);
  constructor(readonly kind: ActivationKind, name: string, shape: readonly number[]) {
    super(name, shape, shape);
  }
  forward(x: Float64Array, batch: number): Float64Array {
    const n = batch * this.inSize;
    const y = this.outBuf.get(n, false);
    this.x = x;
    this.y = y;
    switch (this.kind) {
      case 'relu':
        for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
        break;
      case 'relu6':
        for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i]!, 0), 6);
        break;
      case 'tanh':
        for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
        break;
      case 'sigmoid':
        for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]!));
        break;
      case 'softmax': {
        const D = this.inShape[this.inShape.length - 1]!;
        for (let r = 0; r < n; r += D) {
          let mx = -Infinity;
          for (let d = 0; d < D; d++) mx = Math.max(mx, x[r + d]!);
          let s = 0;
          for (let d = 0; d < D; d++) {
            const e = Math.exp(x[r + d]! - mx);
            y[r + d] = e;
            s += e;
          }
          for (let d = 0; d < D; d++) y[r + d] = y[r + d]! / s;
        }
        break;
      }
    }
    return y;
  }
  backward(dy: Float64Array, batch: number): Float64Array {
    const n = batch * this.inSize;
    const dx = this.dxBuf.get(n, false);
    const { x, y } = this;
    switch (this.kind) {
      case 'relu':
        for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
        break;
      case 'relu6':
        for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 && x[i]! < 6 ? dy[i]! : 0;
        break;
      case 'tanh':
        for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!);
        break;
      case 'sigmoid':
        for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!);
        break;
      case 'softmax': {
        const D = this.inShape[this.inShape.length - 1]!;
        for (let r = 0; r < n; r += D) {
          let s = 0;
          for (let d = 0; d < D; d++) s += dy[r + d]! * y[r + d]!;
          for (let d = 0; d < D; d++) dx[r + d] = y[r + d]! * (dy[r + d]! - s);
        }
        break;
      }
    }
    return dx;
  }
}
