/**
 * MFE as C99 (see emit-c.ts): x/2^15 and the 0.98 pre-emphasis in float32 (per frame, so no
 * whole-signal buffer), real FFT power, mel, then the 8-bit step by comparing against the same
 * 255 energy thresholds the TypeScript kernel uses (no log at run time). The thresholds are
 * rounded to float32 and the energies are float32 sums, so a cell sitting within float rounding
 * of a step edge can land one step off the TypeScript value; the parity test allows exactly that.
 */
import { emitRealFftC } from '../common/fft-c.js';
import { emitMelC, melFrontEnd } from '../common/mel-c.js';
import { C_PRELUDE, cFloat, cHeader, cPrefix, cTable, type CEmission, type CInputInfo } from '../emit-c.js';
import { mfeConfig, type MfeParams } from './index.js';
import { quantisationThresholds } from './mfe.js';

export function emitMfeC(params: MfeParams, input: CInputInfo, prefix = 'mfe'): CEmission {
  const p = cPrefix(prefix);
  const config = mfeConfig(params);
  const { length, layout, bank, n, bins, nf, frames, used } = melFrontEnd('MFE', config, input);
  const thresholds = Array.from(quantisationThresholds(config.noiseFloorDb)).slice(1);
  const scratchFloats = 2 * n + bins + nf;
  const source = `${C_PRELUDE}#include "${p}.h"

${emitRealFftC(p, n)}
${emitMelC(p, bank)}
/* ${p}_thr[k - 1]: the smallest energy quantised to at least k/256. */
${cTable('float', `${p}_thr`, thresholds)}
static float ${p}_quantize(float e) {
  int k = 0; /* the largest k with threshold(k) <= e, threshold(k) = ${p}_thr[k - 1] */
  if (e >= ${p}_thr[k + 127]) k += 128;
  if (e >= ${p}_thr[k + 63]) k += 64;
  if (e >= ${p}_thr[k + 31]) k += 32;
  if (e >= ${p}_thr[k + 15]) k += 16;
  if (e >= ${p}_thr[k + 7]) k += 8;
  if (e >= ${p}_thr[k + 3]) k += 4;
  if (e >= ${p}_thr[k + 1]) k += 2;
  if (e >= ${p}_thr[k]) k += 1;
  return (float)k * ${cFloat(1 / 256)};
}

int ${p}_run(const float *in, float *out, float *scratch) {
  float *frame = scratch, *z = scratch + ${n}, *power = z + ${n}, *mel = power + ${bins};
  int f, i;
  for (i = 0; i < ${length}; i++) if (!(in[i] - in[i] == 0.0f)) return 1;
  for (i = ${used}; i < ${n}; i++) frame[i] = 0.0f;
  for (f = 0; f < ${frames}; f++) {
    const int p0 = f * ${layout.stride};
    for (i = 0; i < ${used}; i++) {
      const int at = p0 + i, before = at == 0 ? ${length - 1} : at - 1;
      const float x = in[at] * ${cFloat(1 / 32768)}, prev = in[before] * ${cFloat(1 / 32768)};
      frame[i] = x - ${cFloat(0.98)} * prev;
    }
    (void)${p}_rfft_power(frame, z, power);
    ${p}_mel(power, mel);
    for (i = 0; i < ${nf}; i++) out[f * ${nf} + i] = ${p}_quantize(mel[i]);
  }
  return 0;
}
`;
  const header = cHeader(p, `MFE (Edge Impulse compatible, 255/256 saturation): ${length} samples @ ${input.frequency} Hz -> ${frames} frames x ${nf} filters`, {
    input: length, output: frames * nf, scratchBytes: scratchFloats * 4,
  }, `#define ${p.toUpperCase()}_FRAMES ${frames}\n#define ${p.toUpperCase()}_FILTERS ${nf}\n`);
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: length, outputSize: frames * nf, ramBytes: scratchFloats * 4, entry: `${p}_run` };
}
