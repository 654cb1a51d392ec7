/** C helpers shared by both spectral emissions: float32 moments and the per-axis prologue. */
import { cFloat, cTable } from '../emit-c.js';

/** Shared C helpers: float32 moments with scipy's skew/kurtosis conventions (0 for constant input). */
export function emitMomentsC(p: string): string {
  return `/* mean, then central moments m2..m4 of x[0..n) (population). */
static void ${p}_moments(const float *x, int n, float *m) {
  float s = 0.0f, m2 = 0.0f, m3 = 0.0f, m4 = 0.0f, mu;
  int i;
  for (i = 0; i < n; i++) s += x[i];
  mu = s / (float)n;
  for (i = 0; i < n; i++) {
    const float d = x[i] - mu, d2 = d * d;
    m2 += d2; m3 += d2 * d; m4 += d2 * d2;
  }
  m[0] = mu; m[1] = m2 / (float)n; m[2] = m3 / (float)n; m[3] = m4 / (float)n;
}
/* scipy.stats skew (bias) and Fisher kurtosis; a constant input gives 0 for both. */
static int ${p}_constant(const float *m) { const float r = 1e-15f * m[0]; return !(m[1] > r * r); }
static float ${p}_skew(const float *m) { return ${p}_constant(m) ? 0.0f : m[2] / (m[1] * sqrtf(m[1])); }
static float ${p}_kurt(const float *m) { return ${p}_constant(m) ? 0.0f : m[3] / (m[1] * m[1]) - 3.0f; }
`;
}

/** Scale, filter and mean removal of one axis into x[0..length): shared by both modes. */
export function emitPrepareAxisC(p: string, sos: Float32Array | null, scale: number, axes: number, length: number): string {
  const sections = sos ? sos.length / 5 : 0;
  const filter = sos
    ? `${cTable('float', `${p}_sos`, sos)}
/* scipy sosfilt in float32, transposed direct form II, zero initial state, in place. */
static void ${p}_sosfilt(float *x) {
  float st[${2 * sections}];
  int i, s;
  for (s = 0; s < ${2 * sections}; s++) st[s] = 0.0f;
  for (i = 0; i < ${length}; i++) {
    float v = x[i];
    for (s = 0; s < ${sections}; s++) {
      const float *c = ${p}_sos + 5 * s;
      const float y = c[0] * v + st[2 * s];
      st[2 * s] = c[1] * v - c[3] * y + st[2 * s + 1];
      st[2 * s + 1] = c[2] * v - c[4] * y;
      v = y;
    }
    x[i] = v;
  }
}
`
    : '';
  return `${filter}
static void ${p}_prepare_axis(const float *in, int ax, float *x) {
  float sum = 0.0f, mu;
  int i;
  for (i = 0; i < ${length}; i++) x[i] = in[i * ${axes} + ax] * ${cFloat(scale)};
${sos ? `  ${p}_sosfilt(x);\n` : ''}  for (i = 0; i < ${length}; i++) sum += x[i];
  mu = sum / ${cFloat(length)};
  for (i = 0; i < ${length}; i++) x[i] -= mu;
}

static int ${p}_finite(const float *x, int n) {
  float s = 0.0f;
  int i;
  for (i = 0; i < n; i++) s += x[i] * 0.0f; /* NaN for NaN and Inf */
  return s == 0.0f;
}
`;
}
