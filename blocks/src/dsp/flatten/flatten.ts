/**
 * Flatten kernel (Edge Impulse `flatten`): per axis, the enabled statistics in the order
 * average, minimum, maximum, rms, stdev (population), skewness, kurtosis (scipy: biased, Fisher).
 * A constant axis gives skewness and kurtosis 0 here; scipy gives NaN, which poisons training.
 */
import { kurtosisFromMoments, moments, skewFromMoments } from '../common/stats.js';

export const FLATTEN_STATS = ['average', 'minimum', 'maximum', 'rms', 'stdev', 'skewness', 'kurtosis'] as const;
export type FlattenStat = (typeof FLATTEN_STATS)[number];

export interface FlattenConfig {
  scaleAxes: number;
  stats: readonly FlattenStat[];
}

/** The enabled statistics, in Edge Impulse's order. */
export function enabledStats(flags: Record<FlattenStat, boolean>): FlattenStat[] {
  return FLATTEN_STATS.filter((s) => flags[s]);
}

export function flatten(config: FlattenConfig, values: ArrayLike<number>, axes: number, out: Float32Array): void {
  const length = values.length / axes;
  const scale = config.scaleAxes;
  let o = 0;
  for (let ax = 0; ax < axes; ax++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < length; i++) {
      const v = values[i * axes + ax]! * scale;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sq += v * v;
    }
    const needMoments = config.stats.some((s) => s === 'stdev' || s === 'skewness' || s === 'kurtosis');
    const m = needMoments ? scaledMoments(values, ax, axes, length, scale) : null;
    for (const stat of config.stats) {
      switch (stat) {
        case 'average': out[o++] = sum / length; break;
        case 'minimum': out[o++] = min; break;
        case 'maximum': out[o++] = max; break;
        case 'rms': out[o++] = Math.sqrt(sq / length); break;
        case 'stdev': out[o++] = Math.sqrt(m!.m2); break;
        case 'skewness': out[o++] = skewFromMoments(m!); break;
        case 'kurtosis': out[o++] = kurtosisFromMoments(m!); break;
      }
    }
  }
}

function scaledMoments(values: ArrayLike<number>, ax: number, axes: number, length: number, scale: number) {
  const m = moments(values, ax, length, axes);
  const s2 = scale * scale;
  return { mean: m.mean * scale, m2: m.m2 * s2, m3: m.m3 * s2 * scale, m4: m.m4 * s2 * s2 };
}
