/**
 * Per-sample scaling of interleaved values. Dataset-wide statistics are not possible in a
 * per-sample block (they would make every sample depend on every other), so these are all
 * computed on the sample itself, per axis or over all axes.
 */
export type NormalizeMethod = 'scale' | 'peak' | 'minmax' | 'zscore';

export interface NormalizeOptions {
  method: NormalizeMethod;
  /** Multiplier for `scale` (EI "scale-axes"); also applied after the other methods. */
  factor: number;
  perAxis: boolean;
}

function groupsOf(axes: number, perAxis: boolean): number[][] {
  return perAxis ? Array.from({ length: axes }, (_, a) => [a]) : [Array.from({ length: axes }, (_, a) => a)];
}

export function normalize(values: Float32Array, axes: number, opts: NormalizeOptions): Float32Array {
  const out = new Float32Array(values.length);
  const frames = Math.floor(values.length / axes);
  for (const group of groupsOf(axes, opts.perAxis)) {
    let min = Infinity, max = -Infinity, sum = 0, sumSq = 0, peak = 0;
    for (let f = 0; f < frames; f++) {
      for (const a of group) {
        const v = values[f * axes + a]!;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sumSq += v * v;
        peak = Math.max(peak, Math.abs(v));
      }
    }
    const n = frames * group.length;
    const mean = n > 0 ? sum / n : 0;
    const std = n > 0 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0;
    // constant or silent signals stay put rather than blowing up to ±Infinity
    let offset = 0, gain = 1;
    if (opts.method === 'peak' && peak > 0) gain = 1 / peak;
    else if (opts.method === 'minmax' && max > min) { offset = min; gain = 1 / (max - min); }
    else if (opts.method === 'minmax') { offset = min; gain = 0; }
    else if (opts.method === 'zscore') { offset = mean; gain = std > 0 ? 1 / std : 0; }
    gain *= opts.factor;
    for (let f = 0; f < frames; f++) {
      for (const a of group) {
        const i = f * axes + a;
        out[i] = (values[i]! - offset) * gain;
      }
    }
  }
  return out;
}
