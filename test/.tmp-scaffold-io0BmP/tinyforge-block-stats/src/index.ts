import { defineBlock, type BlockParamsInput, type CEmission, type JsonObject } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  scale: z.number().positive().default(1).describe('Values are multiplied by this before the statistics'),
});

/** A C float literal that reads back as the same float32. */
function cFloat(x: number): string {
  let s = Math.fround(x).toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return `${s}f`;
}

/** Mean and RMS per axis of interleaved frames (values[t * axes + a]). */
export function axisStats(values: Float32Array, axes: number, scale: number): Float32Array {
  const frames = Math.floor(values.length / axes);
  const out = new Float32Array(axes * 2);
  for (let a = 0; a < axes; a++) {
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < frames; t++) {
      const v = values[t * axes + a]! * scale;
      sum += v;
      squares += v * v;
    }
    out[a * 2] = frames > 0 ? sum / frames : 0;
    out[a * 2 + 1] = frames > 0 ? Math.sqrt(squares / frames) : 0;
  }
  return out;
}

/** Per-axis mean and RMS of each window, as features (with a C emitter for devices) (dataset → features, per sample). */
const block = defineBlock({
  id: 'stats',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'dsp',
  description: 'Per-axis mean and RMS of each window, as features (with a C emitter for devices)',
  params,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  outputMeta(p, inputMeta): JsonObject {
    return { ...inputMeta, dsp: { block: 'stats', params: p } };
  },
  runSample(sample, ctx) {
    const axes = Math.max(1, sample.sensors.length);
    return { ...sample, values: axisStats(sample.values, axes, ctx.params.scale), shape: [axes, 2], intervalMs: 0 };
  },
  // The same computation as C99 for the device (used by deploy targets).
  emitC(p, input): CEmission {
    const prefix = 'stats';
    const P = prefix.toUpperCase();
    const header = `#ifndef ${P}_H
#define ${P}_H
#define ${P}_INPUT_SIZE ${input.frames * input.axes}
#define ${P}_OUTPUT_SIZE ${input.axes * 2}
int ${prefix}_run(const float *in, float *out, float *scratch);
#endif
`;
    const source = `#include <math.h>
#include "${prefix}.h"
int ${prefix}_run(const float *in, float *out, float *scratch) {
  (void)scratch;
  for (int a = 0; a < ${input.axes}; a++) {
    float sum = 0.0f, squares = 0.0f;
    for (int t = 0; t < ${input.frames}; t++) {
      float v = in[t * ${input.axes} + a] * ${cFloat(p.scale)};
      if (!isfinite(v)) return 1;
      sum += v;
      squares += v * v;
    }
    out[a * 2] = sum / ${input.frames}.0f;
    out[a * 2 + 1] = sqrtf(squares / ${input.frames}.0f);
  }
  return 0;
}
`;
    return { prefix, header, sources: { [`${prefix}.c`]: source }, inputSize: input.frames * input.axes, outputSize: input.axes * 2, ramBytes: 0, entry: `${prefix}_run` };
  },
});

export default block;

// Typed pipelines: with this package's types loaded, `block: 'stats@1'` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'stats@1': BlockParamsInput<typeof block>;
  }
}
