import { TinyforgeError, type JsonObject, type Sample } from '@tinyforge/sdk';

/** A per-sample problem (bad values, too short, no frequency): names the sample. */
export function sampleError(sample: Pick<Sample, 'id'>, message: string, hint?: string): TinyforgeError {
  return new TinyforgeError({
    code: 'BAD_INPUT',
    message: `sample "${sample.id}": ${message}`,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** A problem of the params alone (FFT length, filter order…) that still surfaces while running. */
export function paramsError(path: string, message: string): TinyforgeError {
  return new TinyforgeError({ code: 'PARAMS_INVALID', path, message });
}

/** What a DSP kernel needs to know about one input sample. */
export interface SignalView {
  values: Float32Array;
  axes: number;
  /** Frames (time steps) per axis. */
  length: number;
  /** Sampling frequency in Hz. */
  frequency: number;
}

/**
 * Sampling frequency from `intervalMs`. 1000/intervalMs is snapped to the nearest integer when it
 * is within 1e-9 relative (0.022675… ms → 44100, not 44100.00000000001), so frame sizes match EI's.
 */
export function frequencyOf(intervalMs: number): number {
  const f = 1000 / intervalMs;
  const r = Math.round(f);
  return Math.abs(f - r) <= 1e-9 * f ? r : f;
}

/**
 * Checks the generic shape of a time-series sample: axes, finite values, a usable interval.
 * `checkFinite: false` leaves the NaN/Inf scan to a kernel that folds it into its own pass and
 * calls `assertFinite` when it saw one.
 */
export function readSignal(sample: Sample, opts: { needsFrequency: boolean; singleAxis?: boolean; checkFinite?: boolean; block: string }): SignalView {
  const axes = Math.max(1, sample.sensors.length);
  const { values } = sample;
  if (opts.singleAxis && axes !== 1) {
    throw sampleError(sample, `${opts.block} takes a single axis, found ${axes} (${sample.sensors.map((s) => s.name).join(', ')})`, 'use one block per axis');
  }
  if (values.length % axes !== 0) {
    throw sampleError(sample, `${values.length} values do not split into ${axes} axes`);
  }
  if (opts.checkFinite !== false) assertFinite(sample, axes);
  let frequency = 0;
  if (opts.needsFrequency) {
    if (!(sample.intervalMs > 0) || !Number.isFinite(sample.intervalMs)) {
      throw sampleError(sample, `${opts.block} needs a sampling frequency, but intervalMs is ${sample.intervalMs}`);
    }
    frequency = frequencyOf(sample.intervalMs);
  }
  return { values, axes, length: values.length / axes, frequency };
}

/** Throws a sample error naming the first NaN or ±Infinity value, if there is one. */
export function assertFinite(sample: Sample, axes = Math.max(1, sample.sensors.length)): void {
  const { values } = sample;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw sampleError(sample, `value ${i} (axis ${i % axes}, frame ${Math.floor(i / axes)}) is ${String(values[i])}`);
    }
  }
}

/** Builds the output features sample: same identity, flattened features, intervalMs 0. */
export function featuresSample(input: Sample, values: Float32Array, shape: number[]): Sample {
  const out: Sample = {
    id: input.id,
    label: input.label,
    category: input.category,
    sensors: input.sensors,
    intervalMs: 0,
    values,
    shape,
  };
  if (input.meta !== undefined) out.meta = input.meta;
  return out;
}

/**
 * What the input artifact's meta says about its samples, when it says it: frequency (from
 * `frequency` or `intervalMs`), frames per sample (`windowSamples`, `frames`, or `shape[0]`) and
 * axes (`axes`, `sensors.length`, or `shape[1]`). Anything missing stays undefined.
 */
export interface InputFacts {
  frequency?: number;
  frames?: number;
  axes?: number;
}

export function inputFacts(meta: JsonObject): InputFacts {
  const facts: InputFacts = {};
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  const freq = num(meta['frequency']);
  const interval = num(meta['intervalMs']);
  if (freq !== undefined) facts.frequency = freq;
  else if (interval !== undefined) facts.frequency = frequencyOf(interval);
  const shape = Array.isArray(meta['shape']) ? meta['shape'] : undefined;
  const frames = num(meta['windowSamples']) ?? num(meta['frames']) ?? num(shape?.[0]);
  if (frames !== undefined) facts.frames = frames;
  const sensors = Array.isArray(meta['sensors']) ? meta['sensors'].length : undefined;
  const axes = num(meta['axes']) ?? num(sensors) ?? num(shape?.[1]);
  if (axes !== undefined) facts.axes = axes;
  return facts;
}
