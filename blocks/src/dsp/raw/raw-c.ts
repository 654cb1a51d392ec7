/** Raw as C99 (see emit-c.ts): the window itself, times scale-axes. */
import { C_PRELUDE, cFloat, cHeader, cPrefix, type CEmission, type CInputInfo } from '../emit-c.js';

export function emitRawC(params: { 'scale-axes': number }, input: CInputInfo, prefix = 'raw'): CEmission {
  const p = cPrefix(prefix);
  const size = input.frames * input.axes;
  const source = `${C_PRELUDE}#include "${p}.h"

int ${p}_run(const float *in, float *out, float *scratch) {
  int i;
  (void)scratch;
  for (i = 0; i < ${size}; i++) {
    if (!(in[i] - in[i] == 0.0f)) return 1;
    out[i] = in[i] * ${cFloat(params['scale-axes'])};
  }
  return 0;
}
`;
  const header = cHeader(p, `Raw (Edge Impulse compatible): ${input.frames} x ${input.axes}`, { input: size, output: size, scratchBytes: 0 });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: size, outputSize: size, ramBytes: 0, entry: `${p}_run` };
}
