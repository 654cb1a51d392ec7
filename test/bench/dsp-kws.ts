/**
 * The whole KWS set through dsp/mfcc (defaults) on worker threads. The WAVs are read and decoded
 * first (outside the timing); each worker gets its share of the clips as transferred buffers,
 * prepares the block and warms up on its own clips, then the clock runs from the "go" message
 * until every worker has sent back its features.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readWav } from '../../blocks/src/ingest/readers/wav.js';

export interface KwsClip {
  values: Float32Array;
  intervalMs: number;
}

function wavFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...wavFiles(file));
    else if (name.endsWith('.wav')) out.push(file);
  }
  return out;
}

export function readKwsClips(dir: string): KwsClip[] {
  return wavFiles(dir).map((file) => {
    const rec = readWav(new Uint8Array(readFileSync(file)), file, 'int16');
    return { values: rec.values, intervalMs: rec.intervalMs };
  });
}

interface WorkerHandle {
  worker: Worker;
  ready: Promise<void>;
}

function startWorker(clips: KwsClip[]): WorkerHandle {
  // The worker is TypeScript: register tsx's loader in it before importing it.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./dsp-kws-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(boot, { eval: true });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const buffers = clips.map((c) => c.values.buffer as ArrayBuffer);
  worker.postMessage({ clips: clips.map((c) => ({ values: c.values, intervalMs: c.intervalMs })) }, buffers);
  return { worker, ready };
}

/** Wall seconds for all clips on `workers` threads once they are warm. */
async function timed(clips: KwsClip[], workers: number): Promise<number> {
  const shares: KwsClip[][] = Array.from({ length: workers }, () => []);
  clips.forEach((c, i) => shares[i % workers]!.push({ values: c.values.slice(), intervalMs: c.intervalMs }));
  const handles = shares.map(startWorker);
  await Promise.all(handles.map((h) => h.ready));
  const done = handles.map(
    (h) => new Promise<number>((resolve, reject) => {
      h.worker.once('message', (m: { features: number }) => resolve(m.features));
      h.worker.once('error', reject);
    }),
  );
  const t0 = performance.now();
  for (const h of handles) h.worker.postMessage('go');
  await Promise.all(done);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(handles.map((h) => h.worker.terminate()));
  return seconds;
}

export async function runKwsMfcc(dir: string, workers: number): Promise<{ clips: number; workers: number; seconds: number; seconds1: number }> {
  const clips = readKwsClips(dir);
  // Best of three runs each: the machine is shared, and a run is short.
  const best = async (n: number): Promise<number> => Math.min(await timed(clips, n), await timed(clips, n), await timed(clips, n));
  const seconds = await best(workers);
  const seconds1 = await best(1);
  return { clips: clips.length, workers, seconds, seconds1 };
}
