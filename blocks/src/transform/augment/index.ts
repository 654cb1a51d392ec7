import { resolve } from 'node:path';
import { defineBlock, type Sample } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf, framesIn, requireInterval } from '../sample-utils.js';
import { mixNoise, sampleRng, timeShift } from './augment.js';
import { loadNoiseFiles, noiseAtRate, type NoiseFile } from './noise-bank.js';

const params = z
  .object({
    noiseDirectory: z.string().optional().describe('Folder of background-noise WAV files to mix in (relative to the pipeline file)'),
    snrDb: z.tuple([z.number(), z.number()]).default([5, 20]).describe('Range of signal-to-noise ratios, dB'),
    noiseProbability: z.number().min(0).max(1).default(0.8).describe('Chance that a copy gets noise'),
    timeShiftMs: z.number().min(0).default(100).describe('Largest random shift either way, ms (zero fill)'),
    copies: z.number().int().min(0).max(100).default(1).describe('Augmented copies per training sample'),
    keepOriginal: z.boolean().default(true),
    seed: z.number().int().default(0),
  })
  .refine((p) => p.snrDb[0] <= p.snrDb[1], { message: 'snrDb must be [min, max]', path: ['snrDb'] });
type Params = z.output<typeof params>;

interface AugmentState {
  noise?: { dir: string; files: NoiseFile[]; byRate: Map<number, Float32Array[]> };
}

/**
 * Train samples → original (optional) + `copies` augmented ones (`<id>~aug<k>`); test samples
 * pass through untouched. `noise` is the noise recordings at the sample's rate, already loaded.
 */
export function augmentSample(sample: Sample, p: Params, noise: Float32Array[], noiseNames: string[]): Sample[] {
  if (sample.category !== 'train') return [sample];
  const interval = requireInterval(sample, 'transform/augment');
  const axes = axesOf(sample);
  const frames = sample.values.length / axes;
  const maxShift = framesIn(p.timeShiftMs, interval);
  const out: Sample[] = p.keepOriginal ? [sample] : [];
  for (let k = 0; k < p.copies; k++) {
    const rng = sampleRng(p.seed, sample.id, k);
    const shift = maxShift > 0 ? Math.floor(rng() * (2 * maxShift + 1)) - maxShift : 0;
    let values = shift !== 0 ? timeShift(sample.values, axes, shift) : sample.values.slice();
    const info: Record<string, string | number | null> = { shiftFrames: shift, noiseFile: null, snrDb: null };
    if (noise.length > 0 && rng() < p.noiseProbability) {
      const index = Math.floor(rng() * noise.length);
      const clip = noise[index]!;
      const offset = Math.floor(rng() * Math.max(1, clip.length - frames));
      const snrDb = p.snrDb[0] + rng() * (p.snrDb[1] - p.snrDb[0]);
      const { mixed, gain } = mixNoise(values, axes, clip, offset, snrDb);
      values = mixed;
      if (gain > 0) Object.assign(info, { noiseFile: noiseNames[index] ?? null, snrDb: +snrDb.toFixed(3), noiseOffset: offset });
    }
    out.push({ ...sample, id: `${sample.id}~aug${k}`, values, meta: { ...(sample.meta ?? {}), augmentedFrom: sample.id, augment: info } });
  }
  return out;
}

export default defineBlock({
  id: 'transform/augment',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Training-set augmentation: background noise at a random SNR and random time shift, seeded per sample',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  // The noise recordings' content enters the key; their folder's path does not.
  locationParams: ['noiseDirectory'],
  fileInputs: (p) => (p.noiseDirectory ? { folders: [{ root: p.noiseDirectory, extensions: ['.wav'] }] } : {}),
  // Noise is loaded on first use in each worker, then reused for every sample.
  prepare: (): AugmentState => ({}),
  runSample(sample, ctx) {
    const p = ctx.params;
    if (sample.category !== 'train' || !p.noiseDirectory) return augmentSample(sample, p, [], []);
    const dir = resolve(ctx.pipelineDir, p.noiseDirectory);
    if (ctx.state.noise?.dir !== dir) ctx.state.noise = { dir, files: loadNoiseFiles(dir), byRate: new Map() };
    const { files, byRate } = ctx.state.noise;
    const rate = 1000 / requireInterval(sample, 'transform/augment');
    return augmentSample(sample, p, noiseAtRate(files, rate, byRate), files.map((f) => f.name));
  },
});
