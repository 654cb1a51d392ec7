import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';
import { haarDenoise } from './haar.js';

export const params = z.object({
  levels: z.number().int().min(1).max(10).default(3).describe('Decomposition levels; each halves the band the approximation keeps'),
  threshold: z
    .union([z.literal('universal'), z.number().min(0)])
    .default('universal')
    .describe('"universal" (σ·√(2 ln n), σ estimated per axis from the finest details) or a fixed threshold'),
  mode: z.enum(['soft', 'hard']).default('soft').describe('soft: shrink details by the threshold; hard: keep or zero them'),
});

/** Haar wavelet denoising per axis of each sample (a transform: dataset in, dataset out). */
const waveletDenoise = defineBlock({
  id: 'example/wavelet-denoise',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Haar wavelet denoising per axis (universal or fixed soft/hard threshold)',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  runSample(sample, ctx) {
    const axes = Math.max(1, sample.sensors.length);
    const frames = Math.floor(sample.values.length / axes);
    const out = new Float32Array(sample.values.length);
    const axis = new Float32Array(frames);
    for (let a = 0; a < axes; a++) {
      for (let f = 0; f < frames; f++) axis[f] = sample.values[f * axes + a]!;
      const clean = haarDenoise(axis, ctx.params);
      for (let f = 0; f < frames; f++) out[f * axes + a] = clean[f]!;
    }
    return { ...sample, values: out };
  },
});

export default waveletDenoise;

// Typed pipelines: `block: 'example/wavelet-denoise@1'` gets these params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'example/wavelet-denoise@1': BlockParamsInput<typeof waveletDenoise>;
  }
}
