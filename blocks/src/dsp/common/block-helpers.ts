/** Plumbing shared by the DSP blocks: error wrapping and features-artifact meta. */
import { isTinyforgeError, type JsonObject, type JsonValue, type ParamProblem, type Sample } from '@tinyforge/sdk';
import { isPowerOfTwo } from './fft.js';
import { DspError } from './dsp-error.js';
import { sampleError } from './sample-input.js';

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

export function checkFftLength(path: string, value: number, problems: ParamProblem[]): void {
  if (!isPowerOfTwo(value) || value < 2) problems.push({ path, message: `FFT length must be a power of two ≥ 2, found ${value}` });
}
