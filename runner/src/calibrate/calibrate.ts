import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { TinyforgeError, type Sample, type SampleSetReader } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import { runPipeline } from '../exec/run-pipeline.js';
import { featuresOf, loadImpulse, predictorOf } from '../impulse/load-impulse.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { findStateRoot, openStore } from '../store/open-store.js';
import { mulberry32 } from '../tune/space.js';
import { postProcess, type PostProcessParams } from './postprocess.js';
import { scoreDetections, type DetectionScore } from './score-detections.js';
import { buildStream, type StreamEvent } from './stream.js';

export const calibrateConfigSchema = z.object({
  /** Labels that may fire (default: every label not starting with `_` and not noise/unknown/silence). */
  keywords: z.array(z.string()).optional(),
  /** The FRR (per keyword, worst case) a parameter set must reach; among those, fewest false activations win. */
  targetFrr: z.number().min(0).max(1).default(0.1),
  strideMs: z.number().positive().default(250),
  gapMs: z.tuple([z.number().min(0), z.number().min(0)]).default([1500, 3500]),
  /** Noise-only audio appended to the stream, ms. */
  tailMs: z.number().min(0).default(60_000),
  /** Background RMS relative to the mean clip RMS. */
  noiseRatio: z.number().min(0).default(0.3),
  /** Folder of background WAVs (default: <pipeline>/noise, then the shared kws-background-noise). */
  noiseDirectory: z.string().optional(),
  category: z.enum(['test', 'train']).default('test'),
  precision: z.enum(['int8', 'float32']).default('int8'),
  seed: z.number().int().default(1),
  learnBlock: z.string().optional(),
  grid: z
    .object({
      averageWindowMs: z.array(z.number().positive()).min(1),
      detectionThreshold: z.array(z.number().gt(0).max(1)).min(1),
      suppressionMs: z.array(z.number().min(0)).min(1),
    })
    .optional(),
});
export type CalibrateConfig = z.output<typeof calibrateConfigSchema>;

export interface CalibrationCandidate {
  params: PostProcessParams;
  score: DetectionScore;
  meetsTarget: boolean;
}

export interface CalibrationResult {
  pipeline: string;
  modelDigest: string;
  labels: string[];
  keywords: string[];
  strideMs: number;
  windowMs: number;
  targetFrr: number;
  /** The chosen post-processing params (contract: runner/src/calibrate/postprocess.ts). */
  params: PostProcessParams;
  result: DetectionScore;
  meetsTarget: boolean;
  /** Top candidates, best first. */
  candidates: CalibrationCandidate[];
  stream: { durationMs: number; inferences: number; events: number; noiseFiles: string[] };
  ms: number;
}

const DEFAULT_GRID = (strideMs: number) => ({
  averageWindowMs: [1, 2, 3, 4].map((k) => k * strideMs),
  detectionThreshold: [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
  suppressionMs: [0, 500, 1000, 1500],
});

/** Builds the stream, slides the impulse over it once, then grid-searches the post-processing. */
export async function calibrate(target: string, config: CalibrateConfig, signal?: AbortSignal): Promise<CalibrationResult> {
  const t0 = performance.now();
  const pipeline = await loadPipeline(target);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  // Bring the model up to date with the pipeline file (cached runs cost a lookup).
  const manifest = await runPipeline(plan, signal ? { signal } : {});
  if (!manifest.ok) throw new TinyforgeError({ code: 'BLOCK_FAILED', file: pipeline.file, message: `the pipeline run failed: ${manifest.blocks.find((b) => b.error)?.error ?? 'unknown error'}` });
  const impulse = await loadImpulse(plan, config.learnBlock);
  const predictor = await predictorOf(impulse, config.precision);
  const labels = predictor.labels;
  const keywords = (config.keywords ?? labels.filter((l) => !/^_|noise|unknown|silence/i.test(l))).map((k) => {
    const i = labels.indexOf(k);
    if (i < 0) throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: `calibrate: keyword "${k}" is not a label of the model`, hint: `labels: ${labels.join(', ')}` });
    return i;
  });
  if (keywords.length === 0) throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: 'calibrate: no keyword labels', hint: 'set "keywords" in calibrate.json' });

  const store = await openStore(findStateRoot(pipeline.dir));
  const ingestOut = manifest.blocks.find((b) => b.name === impulse.source.name)!;
  const dataset = (await store.artifacts.reader(Object.values(ingestOut.outputs)[0]!)) as SampleSetReader;
  const clips: Sample[] = [];
  for (const ref of dataset.samples) if (ref.category === config.category && ref.label !== null) clips.push(await dataset.read(ref));
  if (clips.length === 0) throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: `calibrate: the dataset has no labelled ${config.category} samples` });
  const template = clips[0]!;
  if (template.sensors.length !== 1 || template.intervalMs <= 0) throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: 'calibrate: continuous calibration needs single-channel time series (audio)' });
  const frequency = 1000 / template.intervalMs;
  const windowLen = mode(clips.map((c) => c.values.length));
  const windowMs = (windowLen / frequency) * 1000;

  const { files, noises } = await readNoise(pipeline.dir, config.noiseDirectory, frequency, clips);
  const rng = mulberry32(config.seed);
  const order = clips.map((c) => ({ c, k: rng() })).sort((a, b) => a.k - b.k).map((x) => x.c);
  const stream = buildStream(
    order.map((c) => ({ label: c.label!, id: c.id, values: c.values.length === windowLen ? c.values : fit(c.values, windowLen) })),
    noises,
    { frequency, gapMs: config.gapMs, tailMs: config.tailMs, noiseRatio: config.noiseRatio, seed: config.seed },
  );

  // One inference per stride: the expensive part, done once for every candidate.
  const stride = Math.round((config.strideMs / 1000) * frequency);
  const scores: Float32Array[] = [];
  for (let start = 0; start + windowLen <= stream.values.length; start += stride) {
    if (signal?.aborted) throw new TinyforgeError({ code: 'CANCELLED', message: 'calibration cancelled' });
    const window: Sample = { ...template, id: `stream@${start}`, label: null, values: stream.values.slice(start, start + windowLen), meta: {} };
    const features = await featuresOf(impulse, window);
    scores.push(Float32Array.from(predictor.predict(features[0]!.values).scores));
  }

  const events: StreamEvent[] = stream.events;
  const grid = config.grid ?? DEFAULT_GRID(config.strideMs);
  const minThreshold = 1 / labels.length;
  const candidates: CalibrationCandidate[] = [];
  for (const averageWindowMs of grid.averageWindowMs)
    for (const detectionThreshold of grid.detectionThreshold.filter((t) => t > minThreshold))
      for (const suppressionMs of grid.suppressionMs) {
        const params = { averageWindowMs, detectionThreshold, suppressionMs };
        const detections = postProcess(scores, keywords, params, config.strideMs, windowMs);
        const score = scoreDetections(detections, labels, keywords, events, stream.durationMs, windowMs);
        candidates.push({ params, score, meetsTarget: score.maxFrr <= config.targetFrr });
      }
  candidates.sort(byQuality);
  const best = candidates[0]!;
  return {
    pipeline: pipeline.config.name,
    modelDigest: impulse.model.digest,
    labels: [...labels],
    keywords: keywords.map((k) => labels[k]!),
    strideMs: config.strideMs,
    windowMs,
    targetFrr: config.targetFrr,
    params: best.params,
    result: best.score,
    meetsTarget: best.meetsTarget,
    candidates: candidates.slice(0, 10),
    stream: { durationMs: Math.round(stream.durationMs), inferences: scores.length, events: events.length, noiseFiles: files },
    ms: Math.round(performance.now() - t0),
  };
}

/** Meets the FRR target first; then fewest false activations; then lowest FRR; then the simplest params. */
function byQuality(a: CalibrationCandidate, b: CalibrationCandidate): number {
  if (a.meetsTarget !== b.meetsTarget) return a.meetsTarget ? -1 : 1;
  if (!a.meetsTarget && a.score.maxFrr !== b.score.maxFrr) return a.score.maxFrr - b.score.maxFrr;
  if (a.score.farPerHour !== b.score.farPerHour) return a.score.farPerHour - b.score.farPerHour;
  if (a.score.frr !== b.score.frr) return a.score.frr - b.score.frr;
  return a.params.averageWindowMs - b.params.averageWindowMs || a.params.suppressionMs - b.params.suppressionMs || b.params.detectionThreshold - a.params.detectionThreshold;
}

function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}

function fit(values: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(values.subarray(0, length));
  return out;
}

async function readNoise(pipelineDir: string, configured: string | undefined, frequency: number, clips: readonly Sample[]): Promise<{ files: string[]; noises: Float32Array[] }> {
  const candidates = configured
    ? [isAbsolute(configured) ? configured : resolve(pipelineDir, configured)]
    : [join(pipelineDir, 'noise'), resolve(findStateRoot(pipelineDir), '../../shared/datasets/kws-background-noise')];
  const dir = candidates.find((d) => existsSync(d));
  if (!dir) throw new TinyforgeError({ code: 'USAGE', message: `calibrate: no background noise folder (looked in ${candidates.join(', ')})`, hint: 'set "noiseDirectory" in calibrate.json' });
  const { decodeWav } = await import('@tinyforge/blocks/ingest/readers/wav');
  // Clips come in the ingest block's scale (int16 units by default); read the noise the same way.
  const peak = Math.max(...clips.slice(0, 20).map((c) => c.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const gain = peak > 2 ? 32768 : 1;
  const files: string[] = [];
  const noises: Float32Array[] = [];
  for (const name of readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.wav')).sort()) {
    const wav = decodeWav(new Uint8Array(readFileSync(join(dir, name))), join(dir, name), gain);
    if (wav.sampleRate !== frequency || wav.channels !== 1) continue; // a resampler is out of scope here
    files.push(name);
    noises.push(wav.samples);
  }
  if (noises.length === 0) throw new TinyforgeError({ code: 'USAGE', message: `calibrate: no mono ${frequency} Hz WAV in ${dir}` });
  return { files, noises };
}
