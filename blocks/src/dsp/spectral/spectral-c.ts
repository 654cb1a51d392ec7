/**
 * Spectral analysis as C99 (see emit-c.ts), FFT mode: per axis, scale, float32 Butterworth SOS
 * (transposed direct form II, zero state, as sosfiltFloat32), mean removal, RMS / skewness /
 * kurtosis, then max-hold power over FFT frames (hop n/2 with overlap), its skewness / kurtosis
 * and the pass-band bins (log10 when do-log). Moments are float32 sums of mean-free values.
 * The wavelet mode is emitted by spectral-wavelet-c.ts. Input decimation and extra-low-freq (also
 * refused at plan time by checkParams) are a TinyforgeError here.
 */
import { TinyforgeError } from '@tinyforge/sdk';
import { DspError } from '../common/dsp-error.js';
import { emitRealFftC } from '../common/fft-c.js';
import { C_PRELUDE, cFloat, cHeader, cPrefix, type CEmission, type CInputInfo } from '../emit-c.js';
import { emitMomentsC, emitPrepareAxisC } from './spectral-common-c.js';
import { spectralConfig, type SpectralParams } from './index.js';
import { createSpectralPlan, spectralFeaturesPerAxis } from './spectral.js';
import { emitSpectralWaveletC } from './spectral-wavelet-c.js';
import { waveletMinLength } from './wavelet.js';

export function emitSpectralC(params: SpectralParams, input: CInputInfo, prefix = 'spectral'): CEmission {
  const p = cPrefix(prefix);
  const config = spectralConfig(params);
  if (!input.frequency) throw new DspError('spectral analysis needs the sampling frequency');
  if (params['input-decimation-ratio'] !== 1 || (params['extra-low-freq'] && config.analysisType === 'FFT')) {
    throw new TinyforgeError({
      code: 'PARAMS_INVALID', path: params['input-decimation-ratio'] !== 1 ? 'input-decimation-ratio' : 'extra-low-freq',
      message: 'dsp/spectral-analysis cannot be compiled to C with input decimation or extra-low-freq', hint: 'use input-decimation-ratio 1 and extra-low-freq false',
    });
  }
  const axes = input.axes;
  const length = input.frames;
  if (length < 1) throw new DspError('the window is empty');
  if (config.analysisType === 'Wavelet' && length < waveletMinLength(config.waveletLevel)) {
    throw new DspError(`wavelet level ${config.waveletLevel} needs at least ${waveletMinLength(config.waveletLevel)} samples per axis, the device window has ${length}`);
  }
  const plan = createSpectralPlan(config, input.frequency);
  if (plan.wavelet) return emitSpectralWaveletC(p, plan, axes, length, input.frequency);
  const n = config.fftLength;
  const bins = n / 2 + 1;
  const perAxis = spectralFeaturesPerAxis(plan, length);
  const hop = config.doFftOverlap ? n - Math.trunc(n / 2) : n;
  // Scratch: [x length][frame n][z n][power bins][maxPower bins].
  const scratchFloats = length + 2 * n + 2 * bins;
  const logOut = config.doLog ? 'log10f(v == 0.0f ? 1e-10f : v)' : 'v';
  const source = `${C_PRELUDE}#include "${p}.h"

${emitRealFftC(p, n)}
${emitMomentsC(p)}
${emitPrepareAxisC(p, plan.sos, config.scaleAxes, axes, length)}
int ${p}_run(const float *in, float *out, float *scratch) {
  float *x = scratch, *frame = x + ${length}, *z = frame + ${n}, *power = z + ${n}, *maxp = power + ${bins};
  float m[4];
  int ax, i, k, start;
  if (!${p}_finite(in, ${length * axes})) return 1;
  for (ax = 0; ax < ${axes}; ax++) {
    float *o = out + ax * ${perAxis}, sq = 0.0f;
    ${p}_prepare_axis(in, ax, x);
    ${p}_moments(x, ${length}, m);
    for (i = 0; i < ${length}; i++) sq += x[i] * x[i];
    o[0] = sqrtf(sq / ${cFloat(length)});
    o[1] = ${p}_skew(m);
    o[2] = ${p}_kurt(m);
    for (k = 0; k < ${bins}; k++) maxp[k] = 0.0f;
    for (start = 0; start < ${length}; start += ${hop}) {
      const int used = ${length} - start < ${n} ? ${length} - start : ${n};
      for (i = 0; i < used; i++) frame[i] = x[start + i];
      for (; i < ${n}; i++) frame[i] = 0.0f;
      (void)${p}_rfft_power(frame, z, power);
      for (k = 0; k < ${bins}; k++) if (power[k] > maxp[k]) maxp[k] = power[k];
    }
    ${p}_moments(maxp, ${bins}, m);
    o[3] = ${p}_skew(m);
    o[4] = ${p}_kurt(m);
    for (k = ${plan.binStart}; k < ${plan.binStop}; k++) {
      const float v = maxp[k];
      o[5 + k - ${plan.binStart}] = ${logOut};
    }
  }
  return 0;
}
`;
  const header = cHeader(p, `Spectral analysis, FFT (Edge Impulse compatible): ${length} x ${axes} @ ${input.frequency} Hz -> ${axes} x ${perAxis} features`, {
    input: length * axes, output: axes * perAxis, scratchBytes: scratchFloats * 4,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: length * axes, outputSize: axes * perAxis, ramBytes: scratchFloats * 4, entry: `${p}_run` };
}
