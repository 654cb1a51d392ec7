import { z } from 'zod';

/**
 * A Keras-like layer spec. Tensors are channels-last like Keras: 1-D signals are `[steps, channels]`,
 * images/spectrograms `[rows, cols, channels]`; the batch axis is never written.
 */
const int = z.number().int();
const pos = int.positive();
const size2 = z.union([pos, z.tuple([pos, pos])]);
export const activationSchema = z.enum(['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softmax']);
export type Activation = z.infer<typeof activationSchema>;
const padding = z.enum(['same', 'valid']);

export const layerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), shape: z.array(pos).min(1).max(3) }),
  /** `-1` once lets one axis absorb the rest (EI's "columns": `[-1, 13]`). */
  z.object({ type: z.literal('reshape'), shape: z.array(z.union([pos, z.literal(-1)])).min(1).max(3) }),
  /** `units` omitted = number of classes (the output layer). */
  z.object({ type: z.literal('dense'), units: pos.optional(), activation: activationSchema.default('linear') }),
  z.object({
    type: z.literal('conv1d'),
    filters: pos,
    kernelSize: pos,
    strides: pos.default(1),
    padding: padding.default('same'),
    activation: activationSchema.default('linear'),
  }),
  z.object({
    type: z.literal('conv2d'),
    filters: pos,
    kernelSize: size2,
    strides: size2.default(1),
    padding: padding.default('same'),
    activation: activationSchema.default('linear'),
  }),
  z.object({
    type: z.literal('depthwiseConv2d'),
    kernelSize: size2,
    strides: size2.default(1),
    padding: padding.default('same'),
    depthMultiplier: pos.default(1),
    activation: activationSchema.default('linear'),
  }),
  z.object({ type: z.literal('maxPool1d'), poolSize: pos.default(2), strides: pos.optional(), padding: padding.default('valid') }),
  z.object({ type: z.literal('maxPool2d'), poolSize: size2.default(2), strides: size2.optional(), padding: padding.default('valid') }),
  z.object({ type: z.literal('avgPool2d'), poolSize: size2.default(2), strides: size2.optional(), padding: padding.default('valid') }),
  z.object({ type: z.literal('globalAvgPool') }),
  z.object({ type: z.literal('flatten') }),
  z.object({ type: z.literal('dropout'), rate: z.number().min(0).lt(1) }),
  z.object({ type: z.literal('batchNorm'), momentum: z.number().min(0).lt(1).default(0.99), epsilon: z.number().positive().default(0.001) }),
  z.object({ type: z.literal('relu') }),
  z.object({ type: z.literal('relu6') }),
  z.object({ type: z.literal('tanh') }),
  z.object({ type: z.literal('sigmoid') }),
  z.object({ type: z.literal('softmax') }),
]);
export type LayerSpec = z.output<typeof layerSchema>;
export type LayerSpecInput = z.input<typeof layerSchema>;

export const presetNames = ['ei-conv1d-audio', 'ei-conv2d-audio', 'ei-dense-motion', 'mlperf-ds-cnn'] as const;
export type PresetName = (typeof presetNames)[number];

/**
 * Ready-made networks. `columns` is the width the flat feature vector is folded into
 * (EI's "convolutionColumns", e.g. the number of cepstral coefficients).
 */
export function presetLayers(name: PresetName, columns = 13): LayerSpecInput[] {
  switch (name) {
    // EI's default audio network (Studio "1D conv" for MFCC).
    case 'ei-conv1d-audio':
      return [
        { type: 'reshape', shape: [-1, columns] },
        { type: 'conv1d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool1d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'dropout', rate: 0.25 },
        { type: 'conv1d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool1d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'dropout', rate: 0.25 },
        { type: 'flatten' },
        { type: 'dense', activation: 'softmax' },
      ];
    // EI's 2-D variant: the same stack on [rows, columns, 1].
    case 'ei-conv2d-audio':
      return [
        { type: 'reshape', shape: [-1, columns, 1] },
        { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'dropout', rate: 0.5 },
        { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'same' },
        { type: 'dropout', rate: 0.5 },
        { type: 'flatten' },
        { type: 'dense', activation: 'softmax' },
      ];
    // EI's default for spectral (motion) features: two small dense layers.
    case 'ei-dense-motion':
      return [
        { type: 'flatten' },
        { type: 'dense', units: 20, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'relu' },
        { type: 'dense', activation: 'softmax' },
      ];
    // MLPerf Tiny KWS DS-CNN (keras_model.py, 64 filters): conv 10×4 s2, 4 × (dw 3×3 + pw 1×1), avg pool.
    case 'mlperf-ds-cnn': {
      const block = (): LayerSpecInput[] => [
        { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'conv2d', filters: 64, kernelSize: 1, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu' },
      ];
      return [
        { type: 'reshape', shape: [-1, columns, 1] },
        { type: 'conv2d', filters: 64, kernelSize: [10, 4], strides: 2, padding: 'same' },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'dropout', rate: 0.2 },
        ...block(),
        ...block(),
        ...block(),
        ...block(),
        { type: 'dropout', rate: 0.4 },
        { type: 'globalAvgPool' },
        { type: 'flatten' },
        { type: 'dense', activation: 'softmax' },
      ];
    }
  }
}

export const layersSchema = z.array(layerSchema).min(1);

export function parseLayers(layers: LayerSpecInput[]): LayerSpec[] {
  return layersSchema.parse(layers);
}
