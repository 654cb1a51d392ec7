/** Spectrogram as C99 (see emit-c.ts): per axis and frame, real FFT power, dB, noise floor, clip at 0. */
import { audioFrames } from '../common/audio.js';
import { DspError } from '../common/dsp-error.js';
import { emitRealFftC } from '../common/fft-c.js';
import { C_PRELUDE, cFloat, cHeader, cPrefix, type CEmission, type CInputInfo } from '../emit-c.js';
import { spectrogramConfig, type SpectrogramParams } from './index.js';

export function emitSpectrogramC(params: SpectrogramParams, input: CInputInfo, prefix = 'spectrogram'): CEmission {
  const p = cPrefix(prefix);
  const config = spectrogramConfig(params);
  if (!input.frequency) throw new DspError('the spectrogram needs the sampling frequency');
  const axes = input.axes;
  const length = input.frames;
  const layout = audioFrames(input.frequency, config.frameLength, config.frameStride, length);
  const n = config.fftLength;
  const bins = n / 2 + 1;
  const frames = layout.count;
  const used = Math.min(layout.length, n);
  const floor = config.noiseFloorDb;
  const scratchFloats = 2 * n + bins;
  const source = `${C_PRELUDE}#include "${p}.h"

${emitRealFftC(p, n)}
int ${p}_run(const float *in, float *out, float *scratch) {
  float *frame = scratch, *z = scratch + ${n}, *power = z + ${n};
  int ax, f, i, k;
  for (i = 0; i < ${length * axes}; i++) if (!(in[i] - in[i] == 0.0f)) return 1;
  for (i = ${used}; i < ${n}; i++) frame[i] = 0.0f;
  for (ax = 0; ax < ${axes}; ax++) {
    for (f = 0; f < ${frames}; f++) {
      float *row = out + (ax * ${frames} + f) * ${bins};
      for (i = 0; i < ${used}; i++) frame[i] = in[(f * ${layout.stride} + i) * ${axes} + ax];
      (void)${p}_rfft_power(frame, z, power);
      for (k = 0; k < ${bins}; k++) {
        const float pw = power[k] < 1e-30f ? 1e-30f : power[k];
        const float x = (10.0f * log10f(pw) - ${cFloat(floor)}) * ${cFloat(1 / (-floor + 12))};
        row[k] = x < 0.0f ? 0.0f : x;
      }
    }
  }
  return 0;
}
`;
  const header = cHeader(p, `Spectrogram (Edge Impulse compatible): ${length} x ${axes} @ ${input.frequency} Hz -> ${frames * axes} rows x ${bins} bins`, {
    input: length * axes, output: frames * axes * bins, scratchBytes: scratchFloats * 4,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: length * axes, outputSize: frames * axes * bins, ramBytes: scratchFloats * 4, entry: `${p}_run` };
}
