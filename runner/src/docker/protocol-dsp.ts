import {
  TinyforgeError,
  type JsonObject,
  type JsonValue,
  type Sample,
  type SampleSetWriter,
} from '@tinyforge/sdk';
import { sampleSetToOne, type AnyContext } from './contract.js';
import type { HttpAnswer } from './http-json.js';
import type { RunningService } from './service-container.js';

/** Edge Impulse's default DSP server port. */
export const DSP_PORT = 4446;
/** Samples per POST /batch, and a cap on the values they carry (keeps bodies to a few MB). */
const BATCH_SAMPLES = 64;
const BATCH_VALUES = 500_000;

export interface DspOptions {
  /** Block id, for messages and the features meta. */
  blockId: string;
  /** Sent as `implementation_version` (EI: `info.latestImplementationVersion`). */
  implementationVersion: number;
  /** EI `info.axes` names: sent as `named_axes`, mapped in order onto the input's axes. */
  namedAxes?: string[];
  /** The block's params as tinyforge holds them (EI `param` names); sent with `-` → `_`. */
  params: Record<string, unknown>;
  /** Starts the block's server; called once, at the start, only when there are samples to process. */
  start: () => Promise<RunningService>;
}

interface DspResult {
  success?: boolean;
  error?: unknown;
  features?: unknown;
  labels?: unknown;
  output_config?: { type?: string; shape?: Record<string, number>; width?: number } | null;
  /** Carried between /batch calls (`usesState` blocks); `state_string` in /run answers. */
  state?: string;
  state_string?: string;
}

/**
 * Edge Impulse processing-block contract: one container serves HTTP; every input sample goes
 * to it (POST /batch in chunks, POST /run one by one when the server has no /batch) and each
 * answer's `features` becomes a features sample, shaped by `output_config`. Errors arrive as
 * HTTP 200 `{success: false, error}`; a failed batch is retried sample by sample to name the
 * sample that fails.
 */
export async function runDspProtocol(ctx: AnyContext, options: DspOptions): Promise<void> {
  const { input: reader, output: writer } = sampleSetToOne<SampleSetWriter>(ctx, 'features', 'DSP container block');
  const total = reader.samples.length;
  ctx.progress(0, total);
  const params = eiParams(options.params);
  // What the features meta needs, without keeping the samples.
  const labels = new Set<string>();
  const counts = { train: 0, test: 0 };
  const shapes = new Map<string, number[]>();
  let done = 0;
  let outputConfig: DspResult['output_config'];
  let featureNames: string[] | undefined;

  // The server starts (seconds, for a Python block) while the first batch is read from the store.
  const starting = total > 0 ? options.start() : undefined;
  starting?.catch(() => {});
  let service: RunningService | undefined;
  try {
    const session = {
      batch: true,
      state: undefined as string | undefined,
    };
    const call = async (path: '/batch' | '/run', samples: Sample[]): Promise<DspResult> => {
      const first = samples[0]!;
      const axes = axesOf(first, reader.meta);
      // /run and /batch bodies differ: /batch has one array per sample and `state`, but no
      // draw_graphs, project_id or calculate_performance.
      const body: JsonObject = {
        features: path === '/batch' ? samples.map((s) => Array.from(s.values)) : Array.from(first.values),
        axes,
        sampling_freq: frequencyOf(first, reader.meta),
        implementation_version: options.implementationVersion,
        params,
        named_axes: options.namedAxes ? Object.fromEntries(options.namedAxes.map((name, i) => [name, axes[i] ?? false])) : false,
        ...(path === '/run' ? { draw_graphs: false, project_id: 0, calculate_performance: false } : {}),
        ...(path === '/batch' && session.state !== undefined ? { state: session.state } : {}),
      };
      const headers: Record<string, string> = { 'x-ei-project-id': '0' };
      if (path === '/run') headers['x-ei-sample-id'] = encodeURIComponent(first.id);
      else headers['x-ei-sample-ids'] = encodeURIComponent(samples.map((s) => s.id).join(',')).slice(0, 4000);
      service ??= await starting!;
      let answer: HttpAnswer;
      try {
        answer = await service.http.send('POST', path, { body, headers, signal: ctx.signal });
      } catch (error) {
        ctx.signal.throwIfAborted();
        throw await serviceFailure(service, error, options);
      }
      return parseAnswer(answer, path, samples, options);
    };

    const emit = async (sample: Sample, result: DspResult, features: unknown) => {
      const values = toFloat32(features, sample, options);
      outputConfig ??= result.output_config ?? undefined;
      if (!featureNames && Array.isArray(result.labels) && result.labels.length > 0) featureNames = result.labels.map(String);
      const out: Sample = { id: sample.id, label: sample.label, category: sample.category, sensors: sample.sensors, intervalMs: 0, values, shape: shapeOf(result.output_config, values.length) };
      if (sample.meta !== undefined) out.meta = sample.meta;
      await writer.add(out);
      if (out.label !== null) labels.add(out.label);
      counts[out.category]++;
      shapes.set(JSON.stringify(out.shape), out.shape!);
      ctx.progress(++done, total);
    };

    /** One sample through /run; its error names it. */
    const runOne = async (sample: Sample) => {
      const result = await call('/run', [sample]);
      if (result.success === false) throw sampleFailure(sample, result.error, options);
      await emit(sample, result, result.features);
    };

    const flush = async (samples: Sample[]) => {
      if (samples.length === 0) return;
      if (session.batch) {
        const result = await call('/batch', samples);
        if (result === NO_BATCH) {
          session.batch = false;
          ctx.log.debug('the DSP server has no /batch: sending samples one by one to /run');
        } else if (result.success === false) {
          // Find the sample that fails, so the message can name it.
          for (const sample of samples) await runOne(sample);
          throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: POST /batch failed for samples "${samples[0]!.id}" … "${samples.at(-1)!.id}", though each one alone succeeds: ${errorText(result.error)}` });
        } else {
          const features = result.features;
          if (!Array.isArray(features) || features.length !== samples.length) {
            throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: POST /batch answered ${Array.isArray(features) ? `${features.length} feature vectors` : 'no "features" array'} for ${samples.length} samples` });
          }
          const state = result.state ?? result.state_string;
          if (typeof state === 'string') session.state = state;
          for (const [i, sample] of samples.entries()) await emit(sample, result, features[i]);
          return;
        }
      }
      for (const sample of samples) await runOne(sample);
    };

    let chunk: Sample[] = [];
    let values = 0;
    let signature = '';
    for await (const sample of reader) {
      ctx.signal.throwIfAborted();
      // A batch shares axes and sampling frequency: a sample that differs starts a new one.
      const sig = JSON.stringify([axesOf(sample, reader.meta), frequencyOf(sample, reader.meta)]);
      if (chunk.length >= BATCH_SAMPLES || values + sample.values.length > BATCH_VALUES || (chunk.length > 0 && sig !== signature)) {
        await flush(chunk);
        chunk = [];
        values = 0;
      }
      signature = sig;
      chunk.push(sample);
      values += sample.values.length;
    }
    await flush(chunk);
  } finally {
    await (service ?? (await starting?.catch(() => undefined)))?.stop();
  }

  const { container: _limits, ...blockParams } = options.params;
  const meta: JsonObject = { dsp: { block: options.blockId, params: blockParams as JsonValue, implementationVersion: options.implementationVersion } };
  if (shapes.size === 1) meta.shape = [...shapes.values()][0]!;
  if (outputConfig) meta.outputConfig = outputConfig as JsonValue;
  if (featureNames) meta.featureNames = featureNames;
  meta.labels = [...labels].sort();
  meta.counts = counts;
  writer.setMeta(meta);
}

/** Params as EI's DSP servers take them: keys with `-` → `_` (they become Python kwargs). */
export function eiParams(params: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'container' || value === undefined) continue;
    out[key.replace(/-/g, '_')] = value as JsonValue;
  }
  return out;
}

const NO_BATCH = Object.freeze({ success: false, error: 'no /batch' }) as DspResult;

function parseAnswer(answer: HttpAnswer, path: string, samples: Sample[], options: DspOptions): DspResult {
  if (path === '/batch' && (answer.status === 404 || answer.status === 405 || answer.status === 501)) return NO_BATCH;
  const where = path === '/run' ? `sample "${samples[0]!.id}"` : `samples "${samples[0]!.id}" … "${samples.at(-1)!.id}"`;
  if (answer.status !== 200) {
    throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: POST ${path} for ${where} answered HTTP ${answer.status}: ${firstLine(answer.text)}` });
  }
  let result: unknown;
  try {
    result = JSON.parse(answer.text);
  } catch {
    throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: POST ${path} for ${where} did not answer JSON: ${firstLine(answer.text)}` });
  }
  if (!result || typeof result !== 'object') throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: POST ${path} for ${where} answered ${firstLine(answer.text)}` });
  return result as DspResult;
}

function sampleFailure(sample: Sample, error: unknown, options: DspOptions): TinyforgeError {
  return new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId} failed on sample "${sample.id}": ${errorText(error)}` });
}

/** A request that failed at the socket: most likely the container died or was killed. */
async function serviceFailure(service: RunningService, error: unknown, options: DspOptions): Promise<TinyforgeError> {
  // The exit is seen a moment after the connection drops.
  for (let i = 0; i < 20 && service.exitCode() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  const tail = service.lastLines().length ? `; last output:\n${service.lastLines().slice(-10).map((l) => `  | ${l}`).join('\n')}` : '';
  if (service.timedOut()) return new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: the DSP container timed out and was killed${tail}`, hint: 'raise params.container.timeoutSec if the block needs longer' });
  const code = service.exitCode();
  const why = code !== undefined ? `the DSP container exited with code ${code}` : `the DSP server connection failed (${(error as { code?: string }).code ?? (error as Error).message})`;
  return new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId}: ${why}${tail}`, cause: error });
}

function toFloat32(features: unknown, sample: Sample, options: DspOptions): Float32Array {
  const flat = Array.isArray(features) ? (features as unknown[]).flat(Infinity) : undefined;
  if (!flat || flat.length === 0) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId} returned no features for sample "${sample.id}"` });
  const out = new Float32Array(flat.length);
  for (const [i, v] of flat.entries()) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${options.blockId} returned a non-finite feature for sample "${sample.id}" (index ${i}: ${JSON.stringify(v)})` });
    }
    out[i] = v;
  }
  return out;
}

/**
 * The sample shape an `output_config` states, when it adds up: spectrogram `{width: frames,
 * height: coefficients}` → [frames, coefficients] (time-major, as EI lays it out); image
 * `{width, height, channels}` → [height, width, channels] (HWC); flat → [length].
 */
export function shapeOf(config: DspResult['output_config'], length: number): number[] {
  const s = config?.shape ?? {};
  const fits = (shape: number[]) => shape.every((d) => Number.isInteger(d) && d > 0) && shape.reduce((a, b) => a * b, 1) === length;
  if (config?.type === 'spectrogram' && s.width && s.height) {
    const shape = [s.width, s.height];
    if (fits(shape)) return shape;
  }
  if (config?.type === 'image' && s.width && s.height) {
    const hwc = [s.height, s.width, s.channels ?? 1];
    const shape = s.frames && s.frames > 1 ? [s.frames, ...hwc] : hwc;
    if (fits(shape)) return shape;
  }
  return [length];
}

function axesOf(sample: Sample, meta: JsonObject): string[] {
  if (sample.sensors.length > 0) return sample.sensors.map((s) => s.name);
  const axes = sample.shape && sample.shape.length >= 2 ? sample.shape[1]! : typeof meta['axes'] === 'number' ? (meta['axes'] as number) : 1;
  return Array.from({ length: axes }, (_, i) => `axis${i}`);
}

function frequencyOf(sample: Sample, meta: JsonObject): number {
  if (sample.intervalMs > 0) return 1000 / sample.intervalMs;
  const f = meta['frequency'];
  return typeof f === 'number' && f > 0 ? f : 0;
}

function errorText(error: unknown): string {
  return typeof error === 'string' ? error.trim() : JSON.stringify(error ?? 'no error message');
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || '(empty)';
}
