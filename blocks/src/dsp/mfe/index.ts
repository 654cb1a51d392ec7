import { z } from 'zod';
import { defineBlock, type ParamProblem } from '@tinyforge/sdk';
import { checkFftLength, timeFrequencyMeta, withSample } from '../common/block-helpers.js';
import { assertFinite, featuresSample, readSignal } from '../common/sample-input.js';
import { withEmitC } from '../emit-c.js';
import { emitMfeC } from './mfe-c.js';
import { createMfePlan, mfe, mfeShape, type MfeConfig, type MfePlan } from './mfe.js';

const BLOCK_ID = 'dsp/mfe';

/** Parameters under Edge Impulse's `parameters.json` names and defaults (implementation version 4). */
export const mfeParams = z.object({
  frame_length: z.number().positive().default(0.02).describe('Length of each frame in seconds'),
  frame_stride: z.number().positive().default(0.01).describe('Step between successive frames in seconds'),
  num_filters: z.number().int().min(2).default(40).describe('Number of mel filters'),
  fft_length: z.number().int().min(2).default(256).describe('FFT points (power of two); frames are cropped or zero-padded to it'),
  low_frequency: z.number().min(0).default(0).describe('Lowest band edge of the mel filters, Hz'),
  high_frequency: z.number().min(0).default(0).describe('Highest band edge of the mel filters, Hz; 0 means half the sampling frequency'),
  win_size: z.number().int().min(0).default(101).describe('Ignored: used by Edge Impulse implementation versions 1-2 only; accepted so EI params load unchanged'),
  noise_floor_db: z.number().default(-52).describe('Energies below this level (dB) map to 0'),
});
export type MfeParams = z.output<typeof mfeParams>;

export function mfeConfig(p: MfeParams): MfeConfig {
  return {
    frameLength: p.frame_length,
    frameStride: p.frame_stride,
    numFilters: p.num_filters,
    fftLength: p.fft_length,
    lowFrequency: p.low_frequency,
    highFrequency: p.high_frequency,
    noiseFloorDb: p.noise_floor_db,
  };
}

export function checkMfeParams(p: MfeParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  checkFftLength('fft_length', p.fft_length, problems);
  if (p.high_frequency !== 0 && p.low_frequency >= p.high_frequency) {
    problems.push({ path: 'low_frequency', message: `low_frequency (${p.low_frequency}) must be below high_frequency (${p.high_frequency})` });
  }
  if (p.noise_floor_db >= 12) problems.push({ path: 'noise_floor_db', message: `noise_floor_db must be below 12 dB, found ${p.noise_floor_db}` });
  return problems;
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.1',
  apiVersion: 1,
  kind: 'dsp',
  description: 'MFE: mel filterbank energies in dB, quantised to 8 bits, for non-voice audio (Edge Impulse compatible)',
  params: mfeParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  checkParams: checkMfeParams,
  prepare: (params): MfePlan => createMfePlan(mfeConfig(params)),
  outputMeta: (params, inputMeta) => timeFrequencyMeta(BLOCK_ID, params, inputMeta, (frequency, frames) => mfeShape(mfeConfig(params), frequency, frames)),
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: true, singleAxis: true, checkFinite: false, block: BLOCK_ID });
    return withSample(sample, () => {
      const shape = mfeShape(ctx.state.config, signal.frequency, signal.length);
      const out = new Float32Array(shape[0] * shape[1]);
      if (!mfe(ctx.state, signal.values, signal.frequency, out)) assertFinite(sample);
      return featuresSample(sample, out, shape);
    });
  },
}), emitMfeC);
