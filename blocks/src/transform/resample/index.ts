import { defineBlock, type Sample } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf, requireInterval, sampleError } from '../sample-utils.js';
import { designResampler, rationalRatio, resample, type Resampler } from './resample.js';

const params = z.object({
  frequencyHz: z.number().positive().describe('Target sample rate'),
  zeroCrossings: z.number().int().min(2).max(64).default(10).describe('Filter half-length in zero crossings (SciPy resample_poly: 10)'),
  kaiserBeta: z.number().min(0).max(20).default(5).describe('Kaiser window β (SciPy resample_poly: 5)'),
});
type Params = z.output<typeof params>;

/** Above this, the filter table gets large (taps ≈ 20 × max(up, down)): ask for a rounder rate. */
const MAX_RATIO_TERM = 20_000;

export function resampleSample(sample: Sample, p: Params, filters: Map<string, Resampler>): Sample {
  const fromHz = 1000 / requireInterval(sample, 'transform/resample');
  const { up, down } = rationalRatio(fromHz, p.frequencyHz);
  const intervalMs = 1000 / p.frequencyHz;
  const meta = sample.meta && 'sampleRateHz' in sample.meta ? { ...sample.meta, sampleRateHz: p.frequencyHz } : sample.meta;
  if (up === down) return { ...sample, intervalMs, ...(meta ? { meta } : {}) };
  if (Math.max(up, down) > MAX_RATIO_TERM) {
    throw sampleError(sample, `resampling ${fromHz} Hz → ${p.frequencyHz} Hz is the ratio ${up}/${down}, too fine to filter exactly`);
  }
  const key = `${up}/${down}`;
  let filter = filters.get(key);
  if (!filter) {
    filter = designResampler(fromHz, p.frequencyHz, { zeroCrossings: p.zeroCrossings, kaiserBeta: p.kaiserBeta });
    filters.set(key, filter);
  }
  const axes = axesOf(sample);
  const values = resample(sample.values, axes, filter);
  return { ...sample, intervalMs, values, shape: [values.length / axes, axes], ...(meta ? { meta } : {}) };
}

export default defineBlock({
  id: 'transform/resample',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Band-limited polyphase resampling (Kaiser-windowed sinc, SciPy resample_poly compatible)',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  prepare: () => new Map<string, Resampler>(),
  runSample: (sample, ctx) => resampleSample(sample, ctx.params, ctx.state),
});
