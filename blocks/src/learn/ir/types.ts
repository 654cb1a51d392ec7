/**
 * # tinyforge model IR, version 1
 *
 * A trained network as a flat, typed graph that a code generator (the C++ target) compiles and
 * that the TypeScript reference interpreter (`interpreter.ts`) executes. Two files per model:
 * `<name>.json` (this `ModelIR`) and `<name>.bin` (the constant buffers it points into).
 *
 * ## In a model artifact (learn/classifier, learn/regression)
 * - `ir.float32.json` + `weights.float32.bin`, `ir.int8.json` + `weights.int8.bin`.
 * - `golden.int8.json`: `{ format: 'tinyforge-int8-golden-v1', vectors: [{ input, output }],
 *   firstVectorTensors: { [tensorId]: int8[] } }` — quantized inputs of the first test samples,
 *   the int8 outputs, and every intermediate tensor of the first vector, from `interpreter.ts`.
 *   A target is correct when it reproduces these exactly.
 * - `metrics.json`, `curves.json` (per-epoch loss/acc/val_loss/val_acc), `spec.json` (layers).
 * - Read an IR with `loadModelIr()` (`load.ts`): it checks format, version and buffer bounds.
 * - Ops run in `ops` order; every op reads tensors written before it (a topological order).
 *
 * ## Conventions
 * - Tensors are NHWC with batch 1, row-major. 1-D signals are `[1, 1, steps, channels]`; flat
 *   vectors `[1, n]`. A RESHAPE never moves data.
 * - Constant buffers are little-endian, each starting at a 16-byte aligned `offset` in the `.bin`.
 * - `precision: 'float32'`: float32 activations, weights and biases; no quantization fields.
 * - `precision: 'int8'` follows TensorFlow Lite's int8 scheme exactly (tflite quantization spec):
 *   - `real = scale · (q − zeroPoint)`; scales are float32 values (stored as JSON numbers that
 *     round-trip exactly through float32).
 *   - Activations: int8, per tensor, asymmetric (`zeroPoint` in [−128, 127]).
 *   - Weights: int8 in [−127, 127], symmetric (`zeroPoint` 0), per output channel along
 *     `quant.axis` (0 for CONV_2D `[O, KH, KW, I]` and FULLY_CONNECTED `[O, I]`, 3 for
 *     DEPTHWISE_CONV_2D `[1, KH, KW, C·M]`).
 *   - Biases: int32, `scale = inputScale · weightScale[c]`, zero point 0.
 *   - Requantization constants are precomputed and stored on the op, so a target needs no
 *     floating point: per channel `multiplier` (Q31, int32) and `shift` from TFLite
 *     `QuantizeMultiplier(double(inputScale) · double(weightScale[c]) / double(outputScale))`.
 *     At run time `acc = bias[c] + Σ (x − inputZeroPoint) · w` in int32, then
 *     `out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + outputZeroPoint,
 *     activationMin, activationMax)` with gemmlowp double rounding (SaturatingRoundingDoublingHighMul,
 *     then RoundingDivideByPOT). This is TFLM's reference kernel and CMSIS-NN's default
 *     (neither built with single rounding).
 *   - `activationMin/Max` fold a fused RELU/RELU6 into the int8 clamp range.
 *   - MAX_POOL_2D, AVERAGE_POOL_2D and RESHAPE keep the input's quantization. AVERAGE_POOL_2D
 *     divides the int32 window sum by the count of in-bounds cells, rounding half away from
 *     zero (TFLite reference): `sum > 0 ? (sum + n/2) / n : (sum − n/2) / n` (C division).
 *   - SOFTMAX is TFLite's int8 reference softmax (gemmlowp fixed point, beta 1); its output
 *     scale is 1/256, zero point −128. `inputMultiplier`, `inputLeftShift` and `diffMin` are
 *     the values TFLite's Prepare computes (PreprocessSoftmaxScaling, CalculateInputRadius with
 *     5 integer bits).
 *   - LOGISTIC and TANH carry a 256-entry int8 lookup table `lut[q + 128]`, computed once from
 *     float at quantization time, so every target agrees exactly.
 *   - RELU / RELU6 that could not be fused requantize: `out = clamp(zpOut +
 *     MultiplyByQuantizedMultiplier(q − zpIn, multiplier, shift), activationMin, activationMax)`.
 *   - The model input is quantized from float features as TFLite's QUANTIZE op does:
 *     `q = clamp(round_half_away(float32(x / scale)) + zeroPoint, −128, 127)` (float32 division).
 *     Outputs dequantize as `scale · (q − zeroPoint)`.
 * - Padding is stored explicitly (`padTop`, `padLeft`) with the mode it came from; the bottom/right
 *   padding is whatever the output size implies. Cells in the padding contribute nothing (a
 *   convolution adds no `(0 − zeroPoint)·w` term for them; pools skip them).
 */
export const IR_FORMAT = 'tinyforge-model-ir';
export const IR_VERSION = 1;

export type Precision = 'float32' | 'int8';
export type DType = 'float32' | 'int8' | 'int32';

export interface QuantParams {
  /** One entry per tensor, or one per channel along `axis`. */
  scale: number[];
  zeroPoint: number[];
  axis?: number;
}

export interface TensorIR {
  id: number;
  name: string;
  dtype: DType;
  shape: number[];
  quant?: QuantParams;
  /** Constant tensors: where their bytes sit in the `.bin`. */
  buffer?: { offset: number; length: number };
}

export type FusedActivation = 'NONE' | 'RELU' | 'RELU6';

/** Int8 requantization of an op's accumulator into its output tensor. */
export interface Requant {
  multiplier: number[];
  shift: number[];
  activationMin: number;
  activationMax: number;
}

interface Window {
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  padding: 'same' | 'valid';
}

export interface Conv2DOp extends Window {
  op: 'CONV_2D';
  /** [input, filter, bias] */
  inputs: [number, number, number];
  outputs: [number];
  activation: FusedActivation;
  requant?: Requant;
}

export interface DepthwiseConv2DOp extends Window {
  op: 'DEPTHWISE_CONV_2D';
  inputs: [number, number, number];
  outputs: [number];
  depthMultiplier: number;
  activation: FusedActivation;
  requant?: Requant;
}

export interface FullyConnectedOp {
  op: 'FULLY_CONNECTED';
  inputs: [number, number, number];
  outputs: [number];
  activation: FusedActivation;
  requant?: Requant;
}

export interface Pool2DOp extends Window {
  op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D';
  inputs: [number];
  outputs: [number];
  filterH: number;
  filterW: number;
  activation: FusedActivation;
  /** int8: the clamp range (input and output share quantization). */
  activationMin?: number;
  activationMax?: number;
}

export interface ReshapeOp {
  op: 'RESHAPE';
  inputs: [number];
  outputs: [number];
}

export interface SoftmaxOp {
  op: 'SOFTMAX';
  inputs: [number];
  outputs: [number];
  beta: number;
  /** int8 only. */
  inputMultiplier?: number;
  inputLeftShift?: number;
  diffMin?: number;
}

export interface LutOp {
  op: 'LOGISTIC' | 'TANH';
  inputs: [number];
  outputs: [number];
  /** int8 only: output for input q at index q + 128. */
  lut?: number[];
}

export interface ReluOp {
  op: 'RELU' | 'RELU6';
  inputs: [number];
  outputs: [number];
  /** int8 only (single channel). */
  requant?: Requant;
}

export type OpIR = Conv2DOp | DepthwiseConv2DOp | FullyConnectedOp | Pool2DOp | ReshapeOp | SoftmaxOp | LutOp | ReluOp;

export interface ModelIR {
  format: typeof IR_FORMAT;
  version: typeof IR_VERSION;
  precision: Precision;
  /** 'classification': output = class probabilities in `labels` order. */
  task: 'classification' | 'regression';
  labels: string[];
  /** The DSP/feature config the model was trained on (opaque here; passed through). */
  dsp: unknown;
  /** Shape of one feature vector as the block received it (e.g. [650]). */
  featureShape: number[];
  input: number;
  output: number;
  tensors: TensorIR[];
  ops: OpIR[];
  /** Byte length of the `.bin`. */
  weightsBytes: number;
}
