/**
 * Ingest benchmark: parse + window the 1,281-clip Speech Commands set through the real
 * `ingest/files` readSource and `transform/window`, single thread, in a fresh process (the OS
 * page cache may be warm). Also CSV and resample throughput. Run: `npx tsx test/bench/ingest.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sample } from '@tinyforge/sdk';
import filesBlock from '../../blocks/src/ingest/files/index.js';
import type { FilesParams } from '../../blocks/src/ingest/files/params.js';
import { datasetAvailable, datasetPath } from '../../blocks/src/ingest/shared-datasets.js';
import { readCsv } from '../../blocks/src/ingest/readers/csv.js';
import { windowSample } from '../../blocks/src/transform/window/index.js';
import { resampleSample } from '../../blocks/src/transform/resample/index.js';
import type { Resampler } from '../../blocks/src/transform/resample/resample.js';

function listFiles(root: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(ext)) out.push(join(d, e.name));
    }
  };
  walk(root);
  return out.sort();
}

const line = (name: string, value: number, unit: string, goal = '') => console.log(`${name}: ${+value.toPrecision(4)} ${unit}${goal ? ` (goal ${goal})` : ''}`);

async function kws(): Promise<void> {
  const root = datasetPath('kws-speech-commands');
  const params = filesBlock.params.parse({ directory: root, split: { by: 'group', groupPattern: '([^_/]+)_nohash_' } }) as FilesParams;
  const state = filesBlock.prepare!(params);
  const t0 = performance.now();
  const paths = listFiles(root, '.wav');
  let readMs = 0, hashMs = 0, parseMs = 0, windowMs = 0, bytes = 0, windows = 0;
  const samples: Sample[] = [];
  for (const path of paths) {
    let t = performance.now();
    const content = readFileSync(path);
    readMs += performance.now() - t;
    t = performance.now();
    const digest = createHash('sha256').update(content).digest('hex'); // what a cold runner does per file
    hashMs += performance.now() - t;
    t = performance.now();
    const out = await filesBlock.readSource({ path, relPath: relative(root, path), digest, size: content.length }, content, { params, state, pipelineDir: root });
    parseMs += performance.now() - t;
    t = performance.now();
    for (const s of out) windows += windowSample(s, { sizeMs: 1000, strideMs: 250, padZeros: true }).length;
    windowMs += performance.now() - t;
    bytes += content.length;
    samples.push(...out);
  }
  const total = performance.now() - t0;
  if (samples.length !== 1281) throw new Error(`expected 1281 clips, read ${samples.length}`);
  line('kws_parse_window_total', total / 1000, 's', '≤ 3 s cold on 2 cores; this is 1 thread');
  line('kws_read_files', readMs, 'ms');
  line('kws_sha256', hashMs, 'ms');
  line('kws_parse_wav', parseMs, 'ms');
  line('kws_parse_throughput', (bytes / 2 ** 20) / (parseMs / 1000), 'MiB/s', 'single thread');
  line('kws_parse_clips_per_s', samples.length / (parseMs / 1000), 'clips/s');
  line('kws_window_1000_250', windowMs, 'ms');
  line('kws_windows', windows, 'windows');
}

function hapt(): void {
  const root = datasetPath('accel-hapt');
  const paths = listFiles(join(root, 'acc'), '.csv');
  const contents = paths.map((p) => readFileSync(p));
  const t0 = performance.now();
  let rows = 0;
  for (const [i, c] of contents.entries()) for (const r of readCsv(c, paths[i]!, { intervalMs: 20 })) rows += r.shape[0]!;
  const ms = performance.now() - t0;
  line('hapt_csv_parse', ms, 'ms');
  line('hapt_csv_rows_per_s', rows / (ms / 1000), 'rows/s', 'single thread, 3 axes');
}

async function fsdd(): Promise<void> {
  const root = datasetPath('kws-fsdd-digits');
  const params = filesBlock.params.parse({ directory: root, labels: { from: 'pattern', pattern: '(\\d)_' } }) as FilesParams;
  const state = filesBlock.prepare!(params);
  const samples: Sample[] = [];
  for (const path of listFiles(root, '.wav')) {
    const content = readFileSync(path);
    samples.push(...(await filesBlock.readSource({ path, relPath: relative(root, path), digest: '', size: content.length }, content, { params, state, pipelineDir: root })));
  }
  const filters = new Map<string, Resampler>();
  const t0 = performance.now();
  let frames = 0;
  for (const s of samples) frames += resampleSample(s, { frequencyHz: 16000, zeroCrossings: 10, kaiserBeta: 5 }, filters).values.length;
  const ms = performance.now() - t0;
  line('fsdd_resample_8k_16k', ms, 'ms');
  line('fsdd_resample_output_rate', frames / (ms / 1000) / 1e6, 'Msamples/s', 'single thread');
}

if (datasetAvailable('kws-speech-commands')) await kws();
if (datasetAvailable('accel-hapt')) hapt();
if (datasetAvailable('kws-fsdd-digits')) await fsdd();

/** The same work through `tinyforge run` (worker threads, hashing, CAS writes), cold and unchanged. */
async function kwsThroughRunner(): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-ingest-bench-'));
  writeFileSync(join(dir, 'pipeline.json'), JSON.stringify({
    name: 'ingest-bench',
    blocks: {
      ingest: { block: 'ingest/files@1', params: { directory: datasetPath('kws-speech-commands'), extensions: ['.wav'] } },
      window: { block: 'transform/window@1', params: { sizeMs: 1000, strideMs: 250 }, inputs: { samples: 'ingest' } },
    },
  }));
  const cli = new URL('../../runner/bin/tinyforge.js', import.meta.url).pathname;
  const env = { ...process.env, TINYFORGE_HOME: join(dir, 'state') };
  const runOnce = () => {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [cli, 'run', dir, '--json'], { env, encoding: 'utf8' });
    const manifest = JSON.parse(out) as { blocks: { name: string; ms: number }[] };
    return { wall: performance.now() - t0, blockMs: manifest.blocks.reduce((a, b) => a + b.ms, 0) };
  };
  const cold = runOnce();
  const warm = runOnce();
  line('kws_ingest_window_runner_cold', cold.wall / 1000, 's', '≤ 3 s on 2 cores, incl. Node start-up');
  line('kws_ingest_window_runner_unchanged_block_time', warm.blockMs / 1000, 's', '≤ 0.3 s of block time');
}

if (datasetAvailable('kws-speech-commands')) await kwsThroughRunner();
