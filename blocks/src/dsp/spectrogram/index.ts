import { z } from 'zod';
import { defineBlock, type ParamProblem } from '@tinyforge/sdk';
import { checkFftLength, timeFrequencyMeta, withSample } from '../common/block-helpers.js';
import { featuresSample, readSignal } from '../common/sample-input.js';
import { withEmitC } from '../emit-c.js';
import { emitSpectrogramC } from './spectrogram-c.js';
import { createSpectrogramPlan, spectrogram, spectrogramShape, type SpectrogramConfig, type SpectrogramPlan } from './spectrogram.js';

const BLOCK_ID = 'dsp/spectrogram';

/** Parameters under Edge Impulse's `parameters.json` names and defaults (implementation version 4). */
export const spectrogramParams = z.object({
  frame_length: z.number().positive().default(0.02).describe('Length of each frame in seconds'),
  frame_stride: z.number().positive().default(0.01).describe('Step between successive frames in seconds'),
  fft_length: z.number().int().min(2).default(128).describe('FFT points (power of two); frames are cropped or zero-padded to it'),
  noise_floor_db: z.number().default(-52).describe('Power below this level (dB) maps to 0'),
  show_axes: z.boolean().default(true).describe('Ignored (deprecated graph option); accepted so EI params load unchanged'),
});
export type SpectrogramParams = z.output<typeof spectrogramParams>;

export function spectrogramConfig(p: SpectrogramParams): SpectrogramConfig {
  return { frameLength: p.frame_length, frameStride: p.frame_stride, fftLength: p.fft_length, noiseFloorDb: p.noise_floor_db };
}

export function checkSpectrogramParams(p: SpectrogramParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  checkFftLength('fft_length', p.fft_length, problems);
  if (p.noise_floor_db >= 12) problems.push({ path: 'noise_floor_db', message: `noise_floor_db must be below 12 dB, found ${p.noise_floor_db}` });
  return problems;
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.0',
  apiVersion: 1,
  kind: 'dsp',
  description: 'Spectrogram: normalised power per FFT bin per frame, for audio and vibration (Edge Impulse compatible)',
  params: spectrogramParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  checkParams: checkSpectrogramParams,
  prepare: (params): SpectrogramPlan => createSpectrogramPlan(spectrogramConfig(params)),
  outputMeta: (params, inputMeta) => timeFrequencyMeta(BLOCK_ID, params, inputMeta, (frequency, frames, axes) => spectrogramShape(spectrogramConfig(params), frequency, frames, axes)),
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: true, singleAxis: false, block: BLOCK_ID });
    return withSample(sample, () => {
      const shape = spectrogramShape(ctx.state.config, signal.frequency, signal.length, signal.axes);
      const out = new Float32Array(shape[0] * shape[1]);
      spectrogram(ctx.state, signal.values, signal.axes, signal.frequency, out);
      return featuresSample(sample, out, shape);
    });
  },
}), emitSpectrogramC);
