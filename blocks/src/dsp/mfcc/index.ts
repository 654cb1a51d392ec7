import { z } from 'zod';
import { defineBlock, type ParamProblem } from '@tinyforge/sdk';
import { checkFftLength, timeFrequencyMeta, withSample } from '../common/block-helpers.js';
import { assertFinite, featuresSample, readSignal } from '../common/sample-input.js';
import { withEmitC } from '../emit-c.js';
import { emitMfccC } from './mfcc-c.js';
import { createMfccPlan, mfcc, mfccShape, type MfccConfig, type MfccPlan } from './mfcc.js';

const BLOCK_ID = 'dsp/mfcc';

/** Parameters under Edge Impulse's `parameters.json` names and defaults (implementation version 4). */
export const mfccParams = z.object({
  num_cepstral: z.number().int().min(1).default(13).describe('Number of cepstral coefficients per frame'),
  frame_length: z.number().positive().default(0.02).describe('Length of each frame in seconds'),
  frame_stride: z.number().positive().default(0.02).describe('Step between successive frames in seconds'),
  num_filters: z.number().int().min(2).default(32).describe('Number of mel filters'),
  fft_length: z.number().int().min(2).default(256).describe('FFT points (power of two); frames are cropped or zero-padded to it'),
  win_size: z.number().int().min(0).default(101).describe('Frames in the sliding normalisation (cmvnw) window, odd; 0 disables it'),
  low_frequency: z.number().min(0).default(0).describe('Lowest band edge of the mel filters, Hz'),
  high_frequency: z.number().min(0).default(0).describe('Highest band edge of the mel filters, Hz; 0 means half the sampling frequency'),
  pre_cof: z.number().default(0.98).describe('Pre-emphasis coefficient; 0 disables it'),
  pre_shift: z.number().int().min(1).default(1).describe('Pre-emphasis shift in samples (Edge Impulse hides it after version 2 but still applies it)'),
});
export type MfccParams = z.output<typeof mfccParams>;

export function mfccConfig(p: MfccParams): MfccConfig {
  return {
    frameLength: p.frame_length,
    frameStride: p.frame_stride,
    numFilters: p.num_filters,
    fftLength: p.fft_length,
    numCepstral: p.num_cepstral,
    winSize: p.win_size,
    lowFrequency: p.low_frequency,
    highFrequency: p.high_frequency,
    preCof: p.pre_cof,
    preShift: p.pre_shift,
  };
}

export function checkMfccParams(p: MfccParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  checkFftLength('fft_length', p.fft_length, problems);
  if (p.num_cepstral > p.num_filters) {
    problems.push({ path: 'num_cepstral', message: `num_cepstral (${p.num_cepstral}) cannot exceed num_filters (${p.num_filters})` });
  }
  if (p.win_size !== 0 && p.win_size % 2 === 0) problems.push({ path: 'win_size', message: `win_size must be odd or 0, found ${p.win_size}` });
  if (p.high_frequency !== 0 && p.low_frequency >= p.high_frequency) {
    problems.push({ path: 'low_frequency', message: `low_frequency (${p.low_frequency}) must be below high_frequency (${p.high_frequency})` });
  }
  return problems;
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.1',
  apiVersion: 1,
  kind: 'dsp',
  description: 'MFCC: mel-frequency cepstral coefficients for speech and keyword spotting (Edge Impulse compatible)',
  params: mfccParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  checkParams: checkMfccParams,
  prepare: (params): MfccPlan => createMfccPlan(mfccConfig(params)),
  outputMeta: (params, inputMeta) => timeFrequencyMeta(BLOCK_ID, params, inputMeta, (frequency, frames) => mfccShape(mfccConfig(params), frequency, frames)),
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: true, singleAxis: true, checkFinite: false, block: BLOCK_ID });
    return withSample(sample, () => {
      const shape = mfccShape(ctx.state.config, signal.frequency, signal.length);
      const out = new Float32Array(shape[0] * shape[1]);
      if (!mfcc(ctx.state, signal.values, signal.frequency, out)) assertFinite(sample);
      return featuresSample(sample, out, shape);
    });
  },
}), emitMfccC);
