import { z } from 'zod';
import type { ParamProblem } from '@tinyforge/sdk';
import { declaredInputProblems } from '../nn/fit-check.js';
import { layersSchema, parseLayers, presetLayers, presetNames, type LayerSpec } from '../nn/spec.js';
import { trainingSchema } from '../nn/train.js';

export const classifierParams = z.object({
  /** A ready-made network; ignored when `layers` is given. */
  preset: z.enum(presetNames).optional(),
  /** Width presets fold the feature vector into (EI "columns"); default: the features' last axis. */
  columns: z.number().int().positive().optional(),
  /** Keras-like layer list; the output layer is a dense layer without `units` (one per class) and softmax. */
  layers: layersSchema.optional(),
  ...trainingSchema.shape,
  /** Produce the int8 model (post-training quantization from the train split). */
  quantize: z.boolean().default(true),
  /** Train samples used to calibrate int8 activation ranges. */
  representativeSamples: z.number().int().min(1).max(100_000).default(500),
});
export type ClassifierParams = z.output<typeof classifierParams>;

/** Plan-time checks that need more than the schema. */
export function checkClassifierParams(p: ClassifierParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (p.preset && p.layers) problems.push({ path: 'layers', message: 'give either preset or layers, not both' });
  if (p.layers) {
    const last = p.layers[p.layers.length - 1]!;
    const endsInSoftmax = last.type === 'softmax' || (last.type === 'dense' && last.activation === 'softmax');
    if (!endsInSoftmax) problems.push({ path: `layers[${p.layers.length - 1}]`, message: 'a classifier must end in softmax (a dense layer with activation "softmax")' });
    p.layers.forEach((l, i) => {
      if (l.type === 'dense' && l.units === undefined && i !== p.layers!.length - 1 && p.layers![i + 1]?.type !== 'softmax')
        problems.push({ path: `layers[${i}].units`, message: 'only the output dense layer may omit units' });
    });
  }
  if (p.validationSplit === 0 && p.earlyStopping?.monitor === 'val_accuracy') problems.push({ path: 'earlyStopping.monitor', message: 'val_accuracy needs validationSplit > 0' });
  // A declared input shape lets the whole layer chain be checked now, before any data is read.
  problems.push(...declaredInputProblems(p.layers, 2));
  if (p.representativeSamples < 1) problems.push({ path: 'representativeSamples', message: 'need at least one representative sample' });
  return problems;
}

/** The layer list to train: explicit layers, a named preset, or a default picked from the feature shape. */
export function resolveLayers(p: ClassifierParams, featureShape: readonly number[]): LayerSpec[] {
  if (p.layers) return p.layers;
  const columns = p.columns ?? (featureShape.length >= 2 ? featureShape[featureShape.length - 1]! : 13);
  const preset = p.preset ?? (featureShape.length === 2 && featureShape[0]! >= 3 ? 'ei-conv1d-audio' : 'ei-dense-motion');
  return parseLayers(presetLayers(preset, columns));
}
