import { isTinyforgeError, TinyforgeError, type JsonObject, type ParamProblem } from '@tinyforge/sdk';
import { buildNetwork } from './network.js';
import { Rng } from './rng.js';
import type { LayerSpec } from './spec.js';

/**
 * Does the layer list fit an input of `inputShape`? Builds the network once (cheap: no
 * training) and turns the first shape problem into a ParamProblem at `layers[i]`.
 */
export function layersFitProblems(layers: readonly LayerSpec[], inputShape: readonly number[], outputUnits: number): ParamProblem[] {
  try {
    buildNetwork(layers, inputShape, outputUnits, new Rng(1));
    return [];
  } catch (err) {
    if (isTinyforgeError(err) && err.path) return [{ path: err.path, message: err.found ? `${err.message} (${err.found})` : err.message }];
    throw err;
  }
}

/**
 * Plan time: a layer list that starts with `{ type: input, shape }` fixes the input shape, so
 * every later layer can be checked before anything runs.
 */
export function declaredInputProblems(layers: readonly LayerSpec[] | undefined, outputUnits: number): ParamProblem[] {
  const first = layers?.[0];
  if (!layers || first?.type !== 'input') return [];
  return layersFitProblems(layers, first.shape, outputUnits);
}

/** The feature shape a DSP block announced in its artifact meta (`shape`), when it did. */
export function featureShapeFromMeta(meta: JsonObject): number[] | null {
  const shape = meta['shape'];
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)) return null;
  return shape as number[];
}

/** Where the features come from, for messages: `dsp/spectral-analysis`, or `the features`. */
function featureSource(meta: JsonObject): string {
  const dsp = meta['dsp'];
  const block = dsp && typeof dsp === 'object' && !Array.isArray(dsp) ? (dsp as JsonObject)['block'] : undefined;
  return typeof block === 'string' ? block : 'the features';
}

/**
 * Run start, before any sample is read: when the features' meta states their shape, a layer that
 * cannot take it fails now, naming the layer and the DSP output.
 */
export function assertLayersFitMeta(layers: readonly LayerSpec[], meta: JsonObject, outputUnits: number): void {
  const shape = featureShapeFromMeta(meta);
  if (!shape) return;
  const problem = layersFitProblems(layers, shape, outputUnits)[0];
  if (!problem) return;
  const size = shape.reduce((a, b) => a * b, 1);
  throw new TinyforgeError({
    code: 'BAD_INPUT',
    path: problem.path,
    message: `${problem.message}; ${featureSource(meta)} outputs [${shape.join(', ')}] (${size} values per sample)`,
    hint: 'change the layer (e.g. the reshape width / columns) or the DSP settings so they agree',
  });
}
