/**
 * MFCC as C99 (see emit-c.ts). Same pipeline as mfcc.ts in float32: per-frame circular
 * pre-emphasis, real FFT power, mel, ln, DCT-II rows, c0 = ln(energy), then cmvnw in place on
 * the output. The cmvnw prefix sums run on column-centred values so float32 keeps ~1e-6.
 * Shaped for Cortex-M4 -Os (emit-c-m4.test.ts holds it to 600k instructions for 1 s @ 16 kHz):
 * pre-emphasis fused into the FFT's first pass reading the signal in place, powers left ×4n with
 * 1/4n folded into the mel weights, mel triangles without their zero ends, a bit-trick ln,
 * DCT rows folded in half by symmetry, per-frame helpers kept out of line.
 */
import { emitRealFftC } from '../common/fft-c.js';
import { emitMelC, melFrontEnd } from '../common/mel-c.js';
import { C_PRELUDE, cFloat, cHeader, cIndexType, cInt, cPrefix, cTable, type CEmission, type CInputInfo } from '../emit-c.js';
import { mfccConfig, type MfccParams } from './index.js';

/**
 * \`static void <p>_ln_all(float *a, int count)\`: a[i] = ln a[i] for finite a[i] ≥ 0 (0 taken as
 * 1e-10): exponent from the bits, mantissa m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1)
 * ≤ 0.1716, odd series to s⁷ (truncation 2s⁹/9 < 3e-8): ~30 instructions a value instead of a
 * libm logf call (~70), within a few ulp of logf.
 */
export function emitFastLnC(p: string): string {
  return `TF_NOINLINE static void ${p}_ln_all(float *a, int count) {
  int i;
  for (i = 0; i < count; i++) {
    union { float f; uint32_t u; } b;
    int32_t e, extra = 0;
    float m, s, s2, x = a[i];
    if (x < 1.17549435e-38f) { /* rare: 0 is taken as 1e-10 (as the reference), a subnormal scaled by 2^23 */
      if (x == 0.0f) x = 1e-10f;
      else { x *= 8388608.0f; extra = 23; }
    }
    b.f = x;
    e = (int32_t)((b.u - 0x3f3504f3u + 0x40000000u) >> 23) - 128; /* exponent, mantissa then in [sqrt(1/2), sqrt(2)) */
    b.u -= (uint32_t)e << 23;
    m = b.f;
    s = (m - 1.0f) / (m + 1.0f);
    s2 = s * s;
    a[i] = (float)(e - extra) * 0.693147182f + 2.0f * s * (1.0f + s2 * (0.333333343f + s2 * (0.2f + s2 * 0.142857149f)));
  }
}
`;
}

export function emitMfccC(params: MfccParams, input: CInputInfo, prefix = 'mfcc'): CEmission {
  const p = cPrefix(prefix);
  const config = mfccConfig(params);
  const { length, layout, bank, n, bins, nf, frames, used } = melFrontEnd('MFCC', config, input);
  const nc = config.numCepstral;
  const shift = ((config.preShift % length) + length) % length;
  // DCT-II rows k ≥ 1 fold around the middle: row[i] = (-1)^k row[nf-1-i], so even rows take
  // u[i] = mel[i] + mel[nf-1-i], odd rows v[i] = mel[i] - mel[nf-1-i] (a middle term only in u).
  const half = Math.ceil(nf / 2);
  const dct: number[] = [];
  for (let k = 1; k < nc; k++) {
    for (let i = 0; i < half; i++) dct.push(Math.sqrt(2 / nf) * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * nf)));
  }
  // Scratch: per frame [z n][shift guard, frame n | power bins, mel nf + 1, u, v half]; cmvnw
  // afterwards reuses it as [ms frames][S1 padded+1][S2 padded+1].
  const win = config.winSize;
  const pad = win > 0 ? (win - 1) / 2 : 0;
  const padded = frames + 2 * pad;
  // The frame buffer (only for frames read out of place) shares its area with power/mel/u/v:
  // the FFT reads the whole frame before it writes a power.
  const frameFloats = n + Math.max(shift + n, bins + nf + 1 + 2 * half);
  const cmvnFloats = win > 0 ? frames + 2 * (padded + 1) : 0;
  const scratchFloats = Math.max(frameFloats, cmvnFloats);
  const reflect: number[] = [];
  for (let q = 0; q < padded; q++) {
    let m = (q - pad) % (2 * frames);
    if (m < 0) m += 2 * frames;
    reflect.push(m < frames ? m : 2 * frames - 1 - m);
  }
  const cmvn = win > 0 ? `${cTable(cIndexType(frames), `${p}_reflect`, reflect, cInt)}
/* sqrtf of a non-negative number; the FPU instruction inline where there is one (no errno path). */
static float ${p}_sqrt(float x) {
#if defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 4)
  float r;
  __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"(x));
  return r;
#else
  return sqrtf(x);
#endif
}
/* speechpy cmvnw (window ${win}, numpy 'symmetric' padding) in place on out[${frames}][${nc}]. */
TF_NOINLINE static void ${p}_cmvnw(float *out, float *scratch) {
  float *ms = scratch, *s1 = scratch + ${frames}, *s2 = s1 + ${padded + 1};
  int c, i, q;
  for (c = 0; c < ${nc}; c++) {
    float mu = 0.0f, sum = 0.0f, sq = 0.0f;
    for (i = 0; i < ${frames}; i++) mu += out[i * ${nc} + c];
    mu /= ${cFloat(frames)};
    for (i = 0; i < ${frames}; i++) ms[i] = out[i * ${nc} + c] - mu; /* the centred column, contiguous */
    s1[0] = 0.0f;
    for (q = 0; q < ${padded}; q++) { sum += ms[${p}_reflect[q]]; s1[q + 1] = sum; }
    for (i = 0; i < ${frames}; i++) ms[i] -= (s1[i + ${win}] - s1[i]) * ${cFloat(1 / win)};
    sum = 0.0f;
    s1[0] = 0.0f; s2[0] = 0.0f;
    for (q = 0; q < ${padded}; q++) { const float v = ms[${p}_reflect[q]]; sum += v; sq += v * v; s1[q + 1] = sum; s2[q + 1] = sq; }
    for (i = 0; i < ${frames}; i++) {
      const float a = (s1[i + ${win}] - s1[i]) * ${cFloat(1 / win)};
      const float b = (s2[i + ${win}] - s2[i]) * ${cFloat(1 / win)};
      const float var = b - a * a;
      out[i * ${nc} + c] = ms[i] / (${p}_sqrt(var > 0.0f ? var : 0.0f) + 1e-10f);
    }
  }
}
` : '';
  // DCT rows: a loop over rows, each row's terms unrolled (constant offsets: 3 instructions a term on -Os).
  const dctTerms = half <= 64
    ? `      sum = ${Array.from({ length: half }, (_, i) => `d[${i}] * w[${i}]`).join(';\n      sum += ')};\n`
    : `      for (i = 0, sum = 0.0f; i < ${half}; i++) sum += d[i] * w[i];\n`;
  const dctRows = `    for (k = 1; k < ${nc}; k++) {
      const float *d = ${p}_dct + (k - 1) * ${half}, *w = (k & 1) ? v : u;
${dctTerms}      row[k] = sum;
    }
`;
  const source = `${C_PRELUDE}#include "${p}.h"

${emitRealFftC(p, n, { preEmphasisShift: shift, unscaled: true })}
${emitMelC(p, bank, { zeroTo1e10: false, weightScale: 0.25 / n })}
${cTable('float', `${p}_dct`, dct)}
${emitFastLnC(p)}
${cmvn}
static int ${p}_finite(const float *x, int from, int to) {
  float s = 0.0f;
  int i = from;
  for (; i + 4 <= to; i += 4) s += x[i] * 0.0f + x[i + 1] * 0.0f + x[i + 2] * 0.0f + x[i + 3] * 0.0f; /* NaN for NaN and Inf */
  for (; i < to; i++) s += x[i] * 0.0f;
  return s == 0.0f;
}

int ${p}_run(const float *in, float *out, float *scratch) {
  float *z = scratch, *frame = z + ${n + shift}, *power = z + ${n}, *mel = power + ${bins}, *u = mel + ${nf + 1}, *v = u + ${half};
  int f, i, k;
  for (f = 0; f < ${frames}; f++) {
    const int p0 = f * ${layout.stride};
    float energy, sum;
    float *row = out + f * ${nc};
${used === n ? `    if (p0 >= ${shift}) {
      energy = ${p}_rfft_power(in + p0, ${cFloat(config.preCof)}, z, power); /* pre-emphasis fused, read in place */
    } else ` : '    '}{ /* circular pre-emphasis into the frame buffer (after a zero guard, read times 0) */
      for (i = 1; i <= ${shift}; i++) frame[-i] = 0.0f;
      for (i = ${used}; i < ${n}; i++) frame[i] = 0.0f;
      for (i = 0; i < ${used} && p0 + i < ${shift}; i++) frame[i] = in[p0 + i] - ${cFloat(config.preCof)} * in[p0 + i - ${shift} + ${length}];
      for (; i < ${used}; i++) frame[i] = in[p0 + i] - ${cFloat(config.preCof)} * in[p0 + i - ${shift}];
      energy = ${p}_rfft_power(frame, 0.0f, z, power);
    }
    if (!(energy - energy == 0.0f)) return 1; /* a NaN or Inf in the frame */
    ${p}_mel(power, mel);
    mel[${nf}] = energy * ${cFloat(0.25 / n)}; /* powers come out times 4n */
    ${p}_ln_all(mel, ${nf + 1});
    row[0] = mel[${nf}];
    for (i = 0; i < ${Math.floor(nf / 2)}; i++) { u[i] = mel[i] + mel[${nf - 1} - i]; v[i] = mel[i] - mel[${nf - 1} - i]; }
${nf % 2 ? `    u[${half - 1}] = mel[${half - 1}]; v[${half - 1}] = 0.0f;
` : ''}${dctRows}    /* samples no frame reads */
    if (!${p}_finite(in, p0 + ${used}, f + 1 < ${frames} ? p0 + ${Math.max(layout.stride, used)} : ${length})) return 1;
  }
${win > 0 ? `  ${p}_cmvnw(out, scratch);\n` : ''}  return 0;
}
`;
  const header = cHeader(p, `MFCC (Edge Impulse compatible): ${length} samples @ ${input.frequency} Hz -> ${frames} frames x ${nc} coefficients`, {
    input: length, output: frames * nc, scratchBytes: scratchFloats * 4,
  }, `#define ${p.toUpperCase()}_FRAMES ${frames}\n#define ${p.toUpperCase()}_COEFFICIENTS ${nc}\n`);
  return {
    prefix: p, sources: { [`${p}.c`]: source }, header,
    inputSize: length, outputSize: frames * nc, ramBytes: scratchFloats * 4, entry: `${p}_run`,
  };
}
