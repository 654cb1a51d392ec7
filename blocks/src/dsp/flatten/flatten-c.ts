/**
 * Flatten as C99 (see emit-c.ts): per axis the enabled statistics in Edge Impulse's order. Two
 * passes in float32 (mean, then centred moments), so no big sums lose the small ones.
 */
import { C_PRELUDE, cFloat, cHeader, cPrefix, type CEmission, type CInputInfo } from '../emit-c.js';
import { flattenConfig, type FlattenParams } from './index.js';

export function emitFlattenC(params: FlattenParams, input: CInputInfo, prefix = 'flatten'): CEmission {
  const p = cPrefix(prefix);
  const config = flattenConfig(params);
  const { frames, axes } = input;
  const stats = config.stats;
  const expr: Record<string, string> = {
    average: 'mean',
    minimum: 'mn',
    maximum: 'mx',
    rms: 'sqrtf(sq / n)',
    stdev: 'sqrtf(m2)',
    skewness: 'constant ? 0.0f : m3 / (m2 * sqrtf(m2))',
    kurtosis: 'constant ? 0.0f : m4 / (m2 * m2) - 3.0f',
  };
  const source = `${C_PRELUDE}#include "${p}.h"

int ${p}_run(const float *in, float *out, float *scratch) {
  const float n = ${cFloat(frames)};
  int ax, i;
  (void)scratch;
  for (ax = 0; ax < ${axes}; ax++) {
    float sum = 0.0f, sq = 0.0f, mn = INFINITY, mx = -INFINITY, mean, m2 = 0.0f, m3 = 0.0f, m4 = 0.0f;
    int constant;
    for (i = 0; i < ${frames}; i++) {
      const float v = in[i * ${axes} + ax] * ${cFloat(config.scaleAxes)};
      if (!(v - v == 0.0f)) return 1;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      sum += v;
      sq += v * v;
    }
    mean = sum / n;
    for (i = 0; i < ${frames}; i++) {
      const float d = in[i * ${axes} + ax] * ${cFloat(config.scaleAxes)} - mean, d2 = d * d;
      m2 += d2; m3 += d2 * d; m4 += d2 * d2;
    }
    m2 /= n; m3 /= n; m4 /= n;
    constant = !(m2 > 1e-30f * (mean * mean > 1.0f ? mean * mean : 1.0f));
    (void)constant;
${stats.map((s, k) => `    out[ax * ${stats.length} + ${k}] = ${expr[s]!};`).join('\n')}
  }
  return 0;
}
`;
  const header = cHeader(p, `Flatten (Edge Impulse compatible): ${frames} x ${axes} -> ${axes} x ${stats.length} (${stats.join(', ')})`, {
    input: frames * axes, output: axes * stats.length, scratchBytes: 0,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: frames * axes, outputSize: axes * stats.length, ramBytes: 0, entry: `${p}_run` };
}
