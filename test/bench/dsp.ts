/**
 * DSP block speed: µs per sample through each block's runSample (validation, kernel and the
 * output allocation included), single thread, median of many batches after a warm-up. Time is
 * this process's CPU time (process.cpuUsage), so other jobs on a shared machine inflate it less
 * than wall-clock time would; the wall-clock median is printed alongside.
 * Run: npx tsx test/bench/dsp.ts   Prints `name: value unit (goal …)` lines.
 * Peer figures: Edge Impulse's Python blocks measured on this machine.
 */
import type { Sample } from '@tinyforge/sdk';
import mfcc from '../../blocks/src/dsp/mfcc/index.js';
import mfe from '../../blocks/src/dsp/mfe/index.js';
import spectrogram from '../../blocks/src/dsp/spectrogram/index.js';
import spectral from '../../blocks/src/dsp/spectral/index.js';
import raw from '../../blocks/src/dsp/raw/index.js';
import flatten from '../../blocks/src/dsp/flatten/index.js';
import image from '../../blocks/src/dsp/image/index.js';

type AnyRunnable = { params: { parse(v: unknown): unknown }; prepare?: (p: never) => unknown; runSample: (s: Sample, c: never) => unknown };

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

function sample(values: Float32Array, frequency: number, axes: number, shape?: number[]): Sample {
  const s: Sample = {
    id: 'bench#0', label: 'x', category: 'train', intervalMs: frequency > 0 ? 1000 / frequency : 0, values,
    sensors: Array.from({ length: axes }, (_, i) => ({ name: `a${i}`, units: '' })),
  };
  if (shape) s.shape = shape;
  return s;
}

const rand = lcg(42);
// 1 s of 16 kHz int16-range audio: a tone plus noise.
const audio = Float32Array.from({ length: 16000 }, (_, i) => Math.round(4000 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 3000 * rand()));
// 2 s × 3 axes at 100 Hz accelerometer window, in g.
const accel = Float32Array.from({ length: 200 * 3 }, (_, i) => Math.sin(Math.floor(i / 3) * 0.3 * ((i % 3) + 1)) + 0.2 * rand());
const picture = Float32Array.from({ length: 120 * 160 * 3 }, () => Math.floor((rand() + 0.5) * 256));

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Median µs per run over batches of ~10 ms: [CPU time, wall-clock time]. */
function measure(block: AnyRunnable, input: Sample, rawParams: object, budgetMs = 600): [number, number] {
  const params = block.params.parse(rawParams);
  const state = block.prepare ? block.prepare(params as never) : undefined;
  const ctx = { params, state, pipelineDir: '.' } as never;
  const runOnce = (): void => void block.runSample(input, ctx);
  for (let i = 0; i < 200; i++) runOnce();
  const t0 = performance.now();
  let calib = 0;
  while (performance.now() - t0 < 20) { runOnce(); calib++; }
  const perBatch = Math.max(1, Math.round(calib / 2));
  const cpu: number[] = [];
  const wall: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs || cpu.length < 15) {
    const c0 = cpuMicros();
    const w0 = performance.now();
    for (let i = 0; i < perBatch; i++) runOnce();
    wall.push(((performance.now() - w0) * 1000) / perBatch);
    cpu.push((cpuMicros() - c0) / perBatch);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [median(cpu), median(wall)];
}

const cases: { name: string; block: AnyRunnable; input: Sample; params: object; goalUs?: number; peerUs?: number }[] = [
  { name: 'dsp/mfcc defaults, 1 s @ 16 kHz', block: mfcc, input: sample(audio, 16000, 1), params: {}, goalUs: 200, peerUs: 2100 },
  { name: 'dsp/mfe defaults, 1 s @ 16 kHz', block: mfe, input: sample(audio, 16000, 1), params: {}, goalUs: 200, peerUs: 1200 },
  { name: 'dsp/spectrogram defaults, 1 s @ 16 kHz', block: spectrogram, input: sample(audio, 16000, 1), params: {} },
  { name: 'dsp/spectral-analysis defaults, 2 s × 3 axes @ 100 Hz', block: spectral, input: sample(accel, 100, 3), params: {}, goalUs: 50, peerUs: 2600 },
  { name: 'dsp/spectral-analysis low-pass 6th order + FFT 64, 2 s × 3 axes @ 100 Hz', block: spectral, input: sample(accel, 100, 3), params: { 'filter-type': 'low', 'filter-cutoff': 8, 'fft-length': 64 } },
  { name: 'dsp/spectral-analysis wavelet db4 level 2, 2 s × 3 axes @ 100 Hz', block: spectral, input: sample(accel, 100, 3), params: { 'analysis-type': 'Wavelet', 'wavelet-level': 2 } },
  { name: 'dsp/raw, 2 s × 3 axes @ 100 Hz', block: raw, input: sample(accel, 100, 3), params: {} },
  { name: 'dsp/flatten, 2 s × 3 axes @ 100 Hz', block: flatten, input: sample(accel, 100, 3), params: {} },
  { name: 'dsp/image 160×120 RGB → 96×96 RGB', block: image, input: sample(picture, 0, 1, [120, 160, 3]), params: {} },
];

for (const c of cases) {
  const [us, wallUs] = measure(c.block, c.input, c.params);
  const notes: string[] = [`wall ${wallUs.toFixed(1)} µs`];
  if (c.goalUs !== undefined) notes.push(`goal ≤ ${c.goalUs} µs, ${us <= c.goalUs ? 'met' : 'MISSED'}`);
  if (c.peerUs !== undefined) notes.push(`peer: Edge Impulse Python ${c.peerUs} µs`);
  console.log(`${c.name}: ${us.toFixed(1)} µs/sample${notes.length ? ` (${notes.join('; ')})` : ''}`);
}
