import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { badInput } from '@tinyforge/sdk';
import { decodeWav } from '../../ingest/readers/wav.js';
import { designResampler, resample } from '../resample/resample.js';

/** Background-noise recordings for augmentation, mono, in ±1, loaded once per worker. */
export interface NoiseFile {
  name: string;
  rateHz: number;
  samples: Float32Array;
}

function listWavs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.wav')) out.push(p);
    }
  };
  walk(dir);
  // code-unit order, not locale order: the same list on every machine
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function loadNoiseFiles(directory: string): NoiseFile[] {
  const dir = resolve(directory);
  let paths: string[];
  try {
    paths = listWavs(dir);
  } catch {
    throw badInput(dir, 'cannot read the noise folder');
  }
  if (paths.length === 0) throw badInput(dir, 'noise folder has no .wav files');
  return paths.map((p) => {
    const wav = decodeWav(readFileSync(p), p);
    const mono = new Float32Array(wav.frames);
    for (let f = 0; f < wav.frames; f++) {
      let s = 0;
      for (let c = 0; c < wav.channels; c++) s += wav.samples[f * wav.channels + c]!;
      mono[f] = s / wav.channels;
    }
    return { name: relative(dir, p).split('\\').join('/'), rateHz: wav.sampleRate, samples: mono };
  });
}

/** The noise files at `rateHz`, resampled when they were recorded at another rate (memoised). */
export function noiseAtRate(files: NoiseFile[], rateHz: number, memo: Map<number, Float32Array[]>): Float32Array[] {
  let atRate = memo.get(rateHz);
  if (!atRate) {
    atRate = files.map((f) =>
      Math.abs(f.rateHz - rateHz) < 1e-6 * rateHz ? f.samples : resample(f.samples, 1, designResampler(f.rateHz, rateHz)),
    );
    memo.set(rateHz, atRate);
  }
  return atRate;
}
