import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TinyforgeError, type Sample, type SampleBlock } from '@tinyforge/sdk';
import { catalogFor } from '../plan/catalog-for.js';
import { compareSemver } from '../plan/block-catalog.js';
import { zodIssuesToErrors } from '../config/zod-issues.js';

export interface DspCommandOptions {
  input: string;
  params?: string;
  frequency?: number;
  axes?: number;
  json?: boolean;
}

/**
 * `tinyforge dsp <block> --input <file>`: one sample through one DSP block, like Edge Impulse's
 * live DSP preview. Input: WAV, CSV, or JSON `{ values, frequency, axes }` (values interleaved).
 */
export async function dspCommand(blockRef: string, options: DspCommandOptions): Promise<number> {
  const catalog = catalogFor(process.cwd());
  const [id, major] = blockRef.split('@') as [string, string | undefined];
  const entry = catalog.entries
    .filter((e) => e.id === id && (major === undefined || e.version.split('.')[0] === major))
    .sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!entry) throw new TinyforgeError({ code: 'UNKNOWN_BLOCK', message: `unknown block "${blockRef}"`, hint: 'tinyforge blocks list' });
  const block = await catalog.load(entry);
  if (block.granularity !== 'sample' || typeof block.runSample !== 'function') {
    throw new TinyforgeError({ code: 'USAGE', message: `${block.id} is not a per-sample block; tinyforge dsp runs DSP and transform blocks` });
  }
  let rawParams: unknown = {};
  if (options.params) {
    try {
      rawParams = JSON.parse(options.params);
    } catch (error) {
      throw new TinyforgeError({ code: 'USAGE', path: '--params', message: `not JSON: ${(error as Error).message}` });
    }
  }
  const parsed = block.params.safeParse(rawParams, { reportInput: true });
  if (!parsed.success) {
    const errors = zodIssuesToErrors(parsed.error.issues, rawParams, { code: 'PARAMS_INVALID', pathPrefix: '--params' });
    throw errors[0]!;
  }
  const problems = block.checkParams?.(parsed.data) ?? [];
  if (problems.length > 0) throw new TinyforgeError({ code: 'PARAMS_INVALID', path: `--params.${problems[0]!.path}`, message: problems[0]!.message });
  const sample = await readInputSample(options);
  const sampleBlock = block as SampleBlock;
  const state = sampleBlock.prepare?.(parsed.data, { pipelineDir: process.cwd() });
  const t0 = performance.now();
  const out = await sampleBlock.runSample(sample, { params: parsed.data, state, pipelineDir: process.cwd() });
  const ms = performance.now() - t0;
  const first = Array.isArray(out) ? out[0] : out;
  if (!first) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `${block.id} produced no output for this input` });
  const result = { block: `${block.id}@${block.version}`, shape: first.shape ?? [first.values.length], features: Array.from(first.values), ms: +ms.toFixed(3) };
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${result.block}: shape [${result.shape.join(', ')}] in ${result.ms} ms\n${result.features.map((v) => +v.toFixed(6)).join(', ')}\n`);
  return 0;
}

async function readInputSample(options: DspCommandOptions): Promise<Sample> {
  const file = options.input;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new TinyforgeError({ code: 'BAD_INPUT', file, message: 'cannot read the input file' });
  }
  const ext = extname(file).toLowerCase();
  const base = { id: file, label: null, category: 'test' as const };
  if (ext === '.json') {
    let doc: { values?: unknown; frequency?: unknown; axes?: unknown };
    try {
      doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
    } catch (error) {
      throw new TinyforgeError({ code: 'BAD_INPUT', file, message: `not JSON: ${(error as Error).message}` });
    }
    const values = Array.isArray(doc.values) ? doc.values.flat() : undefined;
    if (!values || values.some((v) => typeof v !== 'number')) throw new TinyforgeError({ code: 'BAD_INPUT', file, path: 'values', message: 'expected an array of numbers (interleaved axes)' });
    const frequency = Number(options.frequency ?? doc.frequency);
    const axes = Number(options.axes ?? doc.axes ?? 1);
    if (!(frequency > 0)) throw new TinyforgeError({ code: 'BAD_INPUT', file, path: 'frequency', message: 'a positive sampling frequency is needed (in the file or --frequency)' });
    if (!Number.isInteger(axes) || axes < 1 || values.length % axes !== 0) throw new TinyforgeError({ code: 'BAD_INPUT', file, path: 'axes', message: `axes must divide the ${values.length} values` });
    return { ...base, sensors: Array.from({ length: axes }, (_, i) => ({ name: `axis${i}`, units: '' })), intervalMs: 1000 / frequency, values: Float32Array.from(values as number[]), shape: [values.length / axes, axes] };
  }
  if (ext === '.wav' || ext === '.csv') {
    const readers = ext === '.wav' ? await import('@tinyforge/blocks/ingest/readers/wav') : await import('@tinyforge/blocks/ingest/readers/csv');
    const rec = 'readWav' in readers ? readers.readWav(bytes, file) : readers.readCsv(bytes, file, options.frequency ? { intervalMs: 1000 / options.frequency } : {})[0]!;
    return { ...base, sensors: rec.sensors, intervalMs: options.frequency ? 1000 / options.frequency : rec.intervalMs, values: rec.values, shape: rec.shape };
  }
  throw new TinyforgeError({ code: 'BAD_INPUT', file, message: 'unsupported input; use .wav, .csv or .json ({ values, frequency, axes })' });
}
