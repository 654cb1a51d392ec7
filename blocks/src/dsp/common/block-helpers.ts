/** Plumbing shared by the DSP blocks: error wrapping and features-artifact meta. */
import { isTinyforgeError, type JsonObject, type JsonValue, type ParamProblem, type Sample } from '@tinyforge/sdk';
import { isPowerOfTwo } from './fft.js';
import { DspError } from './dsp-error.js';
import { inputFacts, sampleError } from './sample-input.js';

/** Runs a kernel; a DspError becomes a TinyforgeError naming the sample. */
export function withSample<T>(sample: Pick<Sample, 'id'>, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DspError) throw sampleError(sample, error.message);
    if (isTinyforgeError(error)) throw error;
    throw error;
  }
}

/** `{ shape?, dsp: { block, params } }`: what a learn or deploy block needs to know about the features. */
export function dspMeta(block: string, params: object, shape: number[] | null): JsonObject {
  const meta: JsonObject = { dsp: { block, params: params as unknown as JsonValue } };
  if (shape) meta['shape'] = shape;
  return meta;
}

/**
 * `dspMeta` for a time-frequency block, with its output shape when the input meta states the
 * frequency and window length. A shape the params cannot produce is left out here: the per-sample
 * run reports it with the sample id.
 */
export function timeFrequencyMeta(
  block: string,
  params: object,
  inputMeta: JsonObject,
  shapeOf: (frequency: number, frames: number, axes: number) => number[],
): JsonObject {
  const facts = inputFacts(inputMeta);
  let shape: number[] | null = null;
  if (facts.frequency !== undefined && facts.frames !== undefined) {
    try {
      shape = shapeOf(facts.frequency, facts.frames, facts.axes ?? 1);
    } catch {
      shape = null;
    }
  }
  return dspMeta(block, params, shape);
}

export function checkFftLength(path: string, value: number, problems: ParamProblem[]): void {
  if (!isPowerOfTwo(value) || value < 2) problems.push({ path, message: `FFT length must be a power of two ≥ 2, found ${value}` });
}
