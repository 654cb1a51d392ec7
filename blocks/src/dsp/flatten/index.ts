import { z } from 'zod';
import { withEmitC } from '../emit-c.js';
import { emitFlattenC } from './flatten-c.js';
import { defineBlock, type ParamProblem } from '@tinyforge/sdk';
import { dspMeta } from '../common/block-helpers.js';
import { featuresSample, inputFacts, readSignal } from '../common/sample-input.js';
import { enabledStats, flatten, type FlattenConfig, type FlattenStat } from './flatten.js';

const BLOCK_ID = 'dsp/flatten';

/** Parameters under Edge Impulse's `parameters.json` names and defaults. */
export const flattenParams = z.object({
  'scale-axes': z.number().default(1).describe('Multiplies every value by this number first'),
  average: z.boolean().default(true).describe('Mean of each axis'),
  minimum: z.boolean().default(true).describe('Minimum of each axis'),
  maximum: z.boolean().default(true).describe('Maximum of each axis'),
  rms: z.boolean().default(true).describe('Root mean square of each axis'),
  stdev: z.boolean().default(true).describe('Population standard deviation of each axis'),
  skewness: z.boolean().default(true).describe('Skewness of each axis (biased, as scipy.stats.skew)'),
  kurtosis: z.boolean().default(true).describe('Excess kurtosis of each axis (Fisher, biased, as scipy.stats.kurtosis)'),
});
export type FlattenParams = z.output<typeof flattenParams>;

export function flattenConfig(p: FlattenParams): FlattenConfig {
  const flags: Record<FlattenStat, boolean> = {
    average: p.average, minimum: p.minimum, maximum: p.maximum, rms: p.rms, stdev: p.stdev, skewness: p.skewness, kurtosis: p.kurtosis,
  };
  return { scaleAxes: p['scale-axes'], stats: enabledStats(flags) };
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.0',
  apiVersion: 1,
  kind: 'dsp',
  description: 'Flatten: per-axis statistics of the window (average, min, max, RMS, stdev, skewness, kurtosis; Edge Impulse compatible)',
  params: flattenParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  checkParams(params): ParamProblem[] {
    return flattenConfig(params).stats.length === 0 ? [{ path: 'average', message: 'enable at least one statistic' }] : [];
  },
  prepare: (params): FlattenConfig => flattenConfig(params),
  outputMeta(params, inputMeta) {
    const facts = inputFacts(inputMeta);
    const shape = facts.axes !== undefined ? [facts.axes, flattenConfig(params).stats.length] : null;
    return dspMeta(BLOCK_ID, params, shape);
  },
  runSample(sample, ctx) {
    const signal = readSignal(sample, { needsFrequency: false, block: BLOCK_ID });
    const perAxis = ctx.state.stats.length;
    const out = new Float32Array(signal.axes * perAxis);
    if (signal.length > 0) flatten(ctx.state, signal.values, signal.axes, out);
    return featuresSample(sample, out, [signal.axes, perAxis]);
  },
}), emitFlattenC);
