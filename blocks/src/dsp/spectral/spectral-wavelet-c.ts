/**
 * Spectral analysis as C99, wavelet mode (see spectral-c.ts for the shared prologue): per axis,
 * pywt.wavedec in 'symmetric' mode with float32 filters, then the 14 statistics per coefficient
 * array of wavelet.ts (histogram entropy with numpy's float32 bin arithmetic, crossings,
 * percentiles from a sorted copy, moments). Array lengths and percentile indices are baked in.
 */
import { C_PRELUDE, cHeader, cInt, cTable, type CEmission } from '../emit-c.js';
import { emitMomentsC, emitPrepareAxisC } from './spectral-common-c.js';
import type { SpectralPlan } from './spectral.js';
import { wavedecLengths, WAVELET_STATS } from './wavelet.js';

export function emitSpectralWaveletC(p: string, plan: SpectralPlan, axes: number, length: number, frequency: number): CEmission {
  const w = plan.wavelet!;
  const f = w.decLo.length;
  const level = w.level;
  const lengths = wavedecLengths(length, f, level); // [cA_L, cD_L, …, cD_1]
  const perAxis = WAVELET_STATS * (level + 1);
  // Scratch: [x length][a/d pairs per level, largest first][sorted copy]. Level l (1-based) reads the
  // previous approximation and writes a_l, d_l.
  const levelLen: number[] = [];
  let len = length;
  for (let l = 0; l < level; l++) {
    len = Math.floor((len + f - 1) / 2);
    levelLen.push(len);
  }
  const offsets: number[] = [];
  let at = length;
  for (const n of levelLen) {
    offsets.push(at);
    at += 2 * n;
  }
  const sortedAt = at;
  const scratchFloats = at + Math.max(...lengths);
  // Arrays in output order: cA_L, then cD_L … cD_1.
  const arrays: { offset: number; n: number }[] = [{ offset: offsets[level - 1]!, n: levelLen[level - 1]! }];
  for (let l = level - 1; l >= 0; l--) arrays.push({ offset: offsets[l]! + levelLen[l]!, n: levelLen[l]! });
  const pick = (n: number, q: number): number => Math.floor(((n - 1) * q) / 100 + 0.5);
  const calls = arrays.map((a, i) => `    ${p}_stats(s + ${a.offset}, ${a.n}, ${p}_pct_flat + ${5 * i}, o + ${i * WAVELET_STATS}, s + ${sortedAt});`).join('\n');
  const pct = arrays.flatMap((a) => [5, 25, 75, 95, 50].map((q) => pick(a.n, q)));
  const steps: string[] = [];
  for (let l = 0; l < level; l++) {
    const src = l === 0 ? '0' : String(offsets[l - 1]!);
    const n = l === 0 ? length : levelLen[l - 1]!;
    steps.push(`    ${p}_dwt(s + ${src}, ${n}, s + ${offsets[l]!}, s + ${offsets[l]! + levelLen[l]!}, ${levelLen[l]!});`);
  }
  const source = `${C_PRELUDE}#include "${p}.h"

${cTable('float', `${p}_lo`, w.decLo)}
${cTable('float', `${p}_hi`, w.decHi)}
${cTable('uint16_t', `${p}_pct_flat`, pct, cInt)}
${emitMomentsC(p)}
${emitPrepareAxisC(p, plan.sos, plan.config.scaleAxes, axes, length)}
/* Half-sample symmetric extension index (periodic beyond one reflection). */
static int ${p}_sym(int k, int n) {
  int m = k % (2 * n);
  if (m < 0) m += 2 * n;
  return m < n ? m : 2 * n - 1 - m;
}

/* One pywt.dwt step: lo/hi[o] = sum_j filter[j] * ext[2o + 1 - j]. */
static void ${p}_dwt(const float *x, int n, float *lo, float *hi, int outLen) {
  int o, j;
  for (o = 0; o < outLen; o++) {
    float a = 0.0f, d = 0.0f;
    for (j = 0; j < ${f}; j++) {
      const float v = x[${p}_sym(2 * o + 1 - j, n)];
      a += ${p}_lo[j] * v;
      d += ${p}_hi[j] * v;
    }
    lo[o] = a; hi[o] = d;
  }
}

/* scipy.stats.entropy of np.histogram(c, 100): bins from numpy's float32 arithmetic. */
static float ${p}_entropy(const float *c, int n) {
  uint16_t counts[100];
  float lo = c[0], hi = c[0], span, step, h = 0.0f;
  int i, b;
  for (i = 1; i < n; i++) { if (c[i] < lo) lo = c[i]; if (c[i] > hi) hi = c[i]; }
  if (lo == hi) return 0.0f;
  span = hi - lo;
  step = span / 100.0f;
  for (b = 0; b < 100; b++) counts[b] = 0;
  for (i = 0; i < n; i++) {
    const float v = c[i];
    const float t = (v - lo) / span;
    b = (int)(t * 100.0f);
    if (b == 100) b--;
    if (v < (float)b * step + lo) b--;
    else if (b != 99 && v >= (b + 1 == 100 ? hi : (float)(b + 1) * step + lo)) b++;
    counts[b]++;
  }
  for (b = 0; b < 100; b++) {
    if (counts[b]) {
      const float q = (float)counts[b] / (float)n;
      h -= q * logf(q);
    }
  }
  return h;
}

/* The 14 statistics of one coefficient array; pct = sorted indices of the 5/25/75/95/50th percentiles. */
static void ${p}_stats(const float *c, int n, const uint16_t *pct, float *o, float *sorted) {
  float m[4], sq = 0.0f, rms;
  int i, j, zc = 0, mc = 0;
  o[0] = ${p}_entropy(c, n);
  ${p}_moments(c, n, m);
  for (i = 1; i < n; i++) {
    if ((c[i] > 0.0f) != (c[i - 1] > 0.0f)) zc++;
    if ((c[i] > m[0]) != (c[i - 1] > m[0])) mc++;
  }
  o[1] = (float)zc / (float)n;
  o[2] = (float)mc / (float)n;
  for (i = 0; i < n; i++) { /* insertion sort: arrays are a few hundred values */
    const float v = c[i];
    for (j = i; j > 0 && sorted[j - 1] > v; j--) sorted[j] = sorted[j - 1];
    sorted[j] = v;
  }
  for (i = 0; i < 5; i++) o[3 + i] = sorted[pct[i]];
  o[8] = m[0];
  o[9] = sqrtf(m[1]);
  o[10] = n > 1 ? m[1] * (float)n / (float)(n - 1) : 0.0f;
  for (i = 0; i < n; i++) sq += c[i] * c[i];
  rms = sqrtf(sq / (float)n);
  o[11] = rms;
  o[12] = rms == 0.0f ? 0.0f : ${p}_skew(m);
  o[13] = rms == 0.0f ? 0.0f : ${p}_kurt(m);
}

int ${p}_run(const float *in, float *out, float *scratch) {
  float *s = scratch;
  int ax;
  if (!${p}_finite(in, ${length * axes})) return 1;
  for (ax = 0; ax < ${axes}; ax++) {
    float *o = out + ax * ${perAxis};
    ${p}_prepare_axis(in, ax, s);
${steps.join('\n')}
${calls}
  }
  return 0;
}
`;
  const header = cHeader(p, `Spectral analysis, wavelet level ${level} (Edge Impulse compatible): ${length} x ${axes} @ ${frequency} Hz -> ${axes} x ${perAxis} features`, {
    input: length * axes, output: axes * perAxis, scratchBytes: scratchFloats * 4,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize: length * axes, outputSize: axes * perAxis, ramBytes: scratchFloats * 4, entry: `${p}_run` };
}
