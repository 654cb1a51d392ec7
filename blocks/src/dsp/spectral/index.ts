import { z } from 'zod';
import { defineBlock, type ParamProblem } from '@tinyforge/sdk';
import { checkFftLength, dspMeta, withSample } from '../common/block-helpers.js';
import { DspError } from '../common/dsp-error.js';
import { featuresSample, inputFacts, readSignal } from '../common/sample-input.js';
import { createSpectralPlan, spectralFeatures, spectralFeaturesPerAxis, type SpectralConfig, type SpectralPlan } from './spectral.js';
import { waveletMinLength } from './wavelet.js';
import { WAVELET_NAMES } from './wavelet-filters.js';
import { withEmitC } from '../emit-c.js';
import { emitSpectralC } from './spectral-c.js';

const BLOCK_ID = 'dsp/spectral-analysis';

/**
 * Parameters under Edge Impulse's `parameters.json` names (with dashes) and defaults
 * (implementation version 4). The version-1 parameters are accepted and ignored, so a params
 * object copied from Edge Impulse loads unchanged.
 */
export const spectralParams = z.object({
  'scale-axes': z.number().default(1).describe('Multiplies every axis by this number first'),
  'input-decimation-ratio': z.coerce.number().int().default(1).describe('Decimate the input by this ratio (1, 3, 10, 30, 100, 1000); only 1 is supported so far'),
  'filter-type': z.enum(['low', 'high', 'none']).default('none').describe('Butterworth filter applied before the analysis: low-pass, high-pass or none'),
  'filter-cutoff': z.number().positive().default(3).describe('Filter cut-off frequency in Hz; with a filter, FFT bins outside the pass band are dropped'),
  'filter-order': z.number().int().min(0).max(8).default(6).describe('Filter order (even, 2-8); 0 only masks the FFT bins without filtering'),
  'analysis-type': z.enum(['FFT', 'Wavelet']).default('FFT').describe('FFT: statistics plus max-hold power per FFT bin; Wavelet: statistics of a wavelet decomposition'),
  'fft-length': z.number().int().min(2).default(16).describe('FFT points (power of two)'),
  'do-log': z.boolean().default(true).describe('Take log10 of the spectral powers'),
  'do-fft-overlap': z.boolean().default(true).describe('Overlap FFT frames by half when several are needed to cover the window'),
  'extra-low-freq': z.boolean().default(false).describe('Add features from a 10x decimated copy for low frequencies; not supported so far'),
  'wavelet-level': z.number().int().min(0).default(1).describe('Wavelet decomposition level; needs at least 32·2^level samples per window'),
  wavelet: z.enum(WAVELET_NAMES).default('db4').describe('Wavelet family (PyWavelets names)'),
  'spectral-peaks-count': z.number().int().default(3).describe('Ignored (implementation version 1 only)'),
  'spectral-peaks-threshold': z.number().default(0.1).describe('Ignored (implementation version 1 only)'),
  'spectral-power-edges': z.string().default('0.1, 0.5, 1.0, 2.0, 5.0').describe('Ignored (implementation version 1 only)'),
});
export type SpectralParams = z.output<typeof spectralParams>;

export function spectralConfig(p: SpectralParams): SpectralConfig {
  return {
    scaleAxes: p['scale-axes'],
    filterType: p['filter-type'],
    filterCutoff: p['filter-cutoff'],
    filterOrder: p['filter-order'],
    analysisType: p['analysis-type'],
    fftLength: p['fft-length'],
    doLog: p['do-log'],
    doFftOverlap: p['do-fft-overlap'],
    waveletLevel: p['wavelet-level'],
    wavelet: p.wavelet,
  };
}

export function checkSpectralParams(p: SpectralParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (p['analysis-type'] === 'FFT') checkFftLength('fft-length', p['fft-length'], problems);
  if (p['filter-type'] !== 'none' && p['filter-order'] % 2 !== 0) {
    problems.push({ path: 'filter-order', message: `filter order must be even (2, 4, 6, 8) or 0, found ${p['filter-order']}` });
  }
  if (p['input-decimation-ratio'] !== 1) {
    problems.push({ path: 'input-decimation-ratio', message: `input decimation is not supported yet (found ${p['input-decimation-ratio']}); use 1` });
  }
  if (p['extra-low-freq'] && p['analysis-type'] === 'FFT') {
    problems.push({ path: 'extra-low-freq', message: 'extra-low-freq is not supported yet; use false' });
  }
  return problems;
}

/** Per sampling frequency plans (filter design and bin mask depend on it). */
export interface SpectralState {
  config: SpectralConfig;
  plans: Map<number, SpectralPlan>;
}

function planFor(state: SpectralState, frequency: number): SpectralPlan {
  let plan = state.plans.get(frequency);
  if (!plan) {
    plan = createSpectralPlan(state.config, frequency);
    state.plans.set(frequency, plan);
  }
  return plan;
}

function checkLength(config: SpectralConfig, length: number, frequency: number): void {
  if (config.analysisType === 'Wavelet') {
    const min = waveletMinLength(config.waveletLevel);
    if (length < min) {
      throw new DspError(`wavelet level ${config.waveletLevel} needs at least ${min} samples (${Math.ceil((min / frequency) * 1000)} ms), found ${length}`);
    }
  } else if (length < 1) {
    throw new DspError('the window is empty');
  }
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.0',
  apiVersion: 1,
  kind: 'dsp',
  description: 'Spectral analysis: filter, then time statistics and FFT max-hold powers or wavelet statistics per axis (Edge Impulse compatible)',
  params: spectralParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  checkParams: checkSpectralParams,
  prepare: (params): SpectralState => ({ config: spectralConfig(params), plans: new Map() }),
  outputMeta(params, inputMeta) {
    const facts = inputFacts(inputMeta);
    let shape: number[] | null = null;
    if (facts.frequency !== undefined && facts.frames !== undefined && facts.axes !== undefined) {
      try {
        const config = spectralConfig(params);
        checkLength(config, facts.frames, facts.frequency);
        const plan = createSpectralPlan(config, facts.frequency);
        shape = [facts.axes, spectralFeaturesPerAxis(plan, facts.frames)];
      } catch {
        shape = null;
      }
    }
    return dspMeta(BLOCK_ID, params, shape);
  },
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: true, block: BLOCK_ID });
    return withSample(sample, () => {
      checkLength(ctx.state.config, signal.length, signal.frequency);
      const plan = planFor(ctx.state, signal.frequency);
      const perAxis = spectralFeaturesPerAxis(plan, signal.length);
      const out = new Float32Array(signal.axes * perAxis);
      spectralFeatures(plan, signal.values, signal.axes, out);
      return featuresSample(sample, out, [signal.axes, perAxis]);
    });
  },
}), emitSpectralC);
