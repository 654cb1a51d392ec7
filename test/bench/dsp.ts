/**
 * DSP block speed, single thread: µs per sample through each block's runSample (validation,
 * kernel and the output allocation included), then the whole KWS set through MFCC on all cores.
 *
 * The machine is shared (other jobs, a VM with steal time), so every figure is the median of
 * many batches of this process's CPU time (process.cpuUsage), and each batch of a case runs
 * right next to a batch of a fixed calibration loop (16,000 multiply-adds over a Float64Array).
 * `× cal` is the case's time in units of that loop: stable across load, unlike the µs figure.
 * Run: npx tsx test/bench/dsp.ts [filter]   Prints `name: value unit (goal …)` lines.
 * Peer figures: Edge Impulse's Python blocks measured on this machine.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sample } from '@tinyforge/sdk';
import mfcc from '../../blocks/src/dsp/mfcc/index.js';
import mfe from '../../blocks/src/dsp/mfe/index.js';
import spectrogram from '../../blocks/src/dsp/spectrogram/index.js';
import spectral from '../../blocks/src/dsp/spectral/index.js';
import raw from '../../blocks/src/dsp/raw/index.js';
import flatten from '../../blocks/src/dsp/flatten/index.js';
import image from '../../blocks/src/dsp/image/index.js';
import { runKwsMfcc } from './dsp-kws.js';

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

const calData = Float64Array.from({ length: 16000 }, () => rand());
let calSink = 0;
/** The calibration loop: 16,000 multiply-adds, two accumulators. */
function calibration(): void {
  let a = 0;
  let b = 0;
  for (let i = 0; i < 16000; i += 2) {
    a += calData[i]! * 1.0001;
    b += calData[i + 1]! * 0.9999;
  }
  calSink += a + b;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median CPU µs per call of `fn` and of the calibration loop, batches interleaved. */
function measure(fn: () => void, budgetMs = 800): { us: number; cal: number; wall: number } {
  for (let i = 0; i < 300; i++) fn();
  for (let i = 0; i < 300; i++) calibration();
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < 20) { fn(); calls++; }
  const perBatch = Math.max(1, Math.round(calls / 2)); // ~10 ms batches
  const calPerBatch = 100;
  const cpu: number[] = [];
  const cal: number[] = [];
  const wall: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs || cpu.length < 21) {
    let c0 = cpuMicros();
    const w0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    wall.push(((performance.now() - w0) * 1000) / perBatch);
    cpu.push((cpuMicros() - c0) / perBatch);
    c0 = cpuMicros();
    for (let i = 0; i < calPerBatch; i++) calibration();
    cal.push((cpuMicros() - c0) / calPerBatch);
  }
  return { us: median(cpu), cal: median(cal), wall: median(wall) };
}

function blockRunner(block: AnyRunnable, input: Sample, rawParams: object): () => void {
  const params = block.params.parse(rawParams);
  const state = block.prepare ? block.prepare(params as never) : undefined;
  const ctx = { params, state, pipelineDir: '.' } as never;
  return () => void block.runSample(input, ctx);
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

const filter = process.argv[2];
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const c of cases) {
  if (filter && !c.name.includes(filter)) continue;
  const m = measure(blockRunner(c.block, c.input, c.params));
  const notes = [`${(m.us / m.cal).toFixed(1)} × cal of ${m.cal.toFixed(1)} µs`, `wall ${m.wall.toFixed(1)} µs`];
  if (c.goalUs !== undefined) notes.push(`goal ≤ ${c.goalUs} µs, ${m.us <= c.goalUs ? 'met' : 'MISSED'}`);
  if (c.peerUs !== undefined) notes.push(`peer: Edge Impulse Python ${c.peerUs} µs`);
  console.log(`${c.name}: ${m.us.toFixed(1)} µs/sample (${notes.join('; ')})`);
}

const kwsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/kws-speech-commands');
if (!filter || 'kws'.includes(filter) || filter === 'kws') {
  if (!existsSync(kwsDir)) console.log(`dsp/mfcc KWS set: skipped (no ${kwsDir})`);
  else {
    const r = await runKwsMfcc(kwsDir, Math.min(2, os.cpus().length));
    console.log(`dsp/mfcc defaults over the KWS set (${r.clips} clips, ${r.workers} worker threads, WAV reading excluded): ${(r.seconds).toFixed(3)} s (goal ≤ 0.5 s, ${r.seconds <= 0.5 ? 'met' : 'MISSED'}; ${r.seconds1.toFixed(3)} s on 1 thread; load average ${os.loadavg()[0]!.toFixed(1)})`);
  }
}
if (calSink === 42) console.log('');
