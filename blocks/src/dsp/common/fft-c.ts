/**
 * C version of fft.ts for one FFT length: `static float <p>_rfft_power(const float *x, float *z,
 * float *power)` takes n real samples, uses z (n floats) as work space, writes the n/2+1 powers
 * |X[k]|²/n and returns their sum. Same algorithm (8/4-point codelet reading in bit-reversed
 * order, radix-4 stages, split step), float32, tables baked as static const.
 */
import { cFloat, cIndexType, cInt, cTable } from '../emit-c.js';
import { createRealFftPlan } from './fft.js';

export function emitRealFftC(p: string, n: number): string {
  const plan = createRealFftPlan(n);
  const m = plan.m;
  const parts: string[] = [];
  parts.push(cTable(cIndexType(m), `${p}_bitrev`, plan.bitReverse, cInt));
  parts.push(cTable('float', `${p}_tw`, plan.twiddles));
  parts.push(cTable('float', `${p}_cos`, plan.cosFull.slice(0, Math.floor(m / 2) + 1)));
  parts.push(cTable('float', `${p}_sin`, plan.sinFull.slice(0, Math.floor(m / 2) + 1)));
  const stages = Array.from(plan.stages);
  // One loop nest per radix-4 stage with its span baked in: constant offsets address the four
  // quarters, the twiddles are read in order (6 floats per butterfly index), nothing spills on -Os.
  const stageCode = stages.map((span, si) => {
    const q2 = span / 2; // floats per quarter
    return `  { /* radix-4 stage, span ${span} */
    float *zb;
    for (zb = z; zb < z + ${2 * m}; zb += ${2 * span}) {
      const float *t = ${p}_tw + ${plan.twiddleOffset[si]!};
      float *za;
      for (za = zb; za < zb + ${q2}; za += 2, t += 6) {
        const float c1 = t[0], s1 = t[1], c2 = t[2], s2 = t[3], c3 = t[4], s3 = t[5];
        const float x1r = za[${q2}], x1i = za[${q2 + 1}], x2r = za[${2 * q2}], x2i = za[${2 * q2 + 1}], x3r = za[${3 * q2}], x3i = za[${3 * q2 + 1}];
        const float br = x1r * c2 - x1i * s2, bi = x1r * s2 + x1i * c2;
        const float cr = x2r * c1 - x2i * s1, ci = x2r * s1 + x2i * c1;
        const float dr = x3r * c3 - x3i * s3, di = x3r * s3 + x3i * c3;
        const float e0r = za[0] + br, e0i = za[1] + bi, e1r = za[0] - br, e1i = za[1] - bi;
        const float o0r = cr + dr, o0i = ci + di, o1r = cr - dr, o1i = ci - di;
        za[0] = e0r + o0r; za[1] = e0i + o0i;
        za[${2 * q2}] = e0r - o0r; za[${2 * q2 + 1}] = e0i - o0i;
        za[${q2}] = e1r + o1i; za[${q2 + 1}] = e1i - o1r;
        za[${3 * q2}] = e1r - o1i; za[${3 * q2 + 1}] = e1i + o1r;
      }
    }
  }
`;
  }).join('');
  let codelet: string;
  if (plan.codelet === 8) {
    codelet = `  for (b = 0; b < ${m}; b += 8) {
    const float *s0 = x + 2 * ${p}_bitrev[b], *s1 = x + 2 * ${p}_bitrev[b + 1], *s2 = x + 2 * ${p}_bitrev[b + 2], *s3 = x + 2 * ${p}_bitrev[b + 3];
    const float *s4 = x + 2 * ${p}_bitrev[b + 4], *s5 = x + 2 * ${p}_bitrev[b + 5], *s6 = x + 2 * ${p}_bitrev[b + 6], *s7 = x + 2 * ${p}_bitrev[b + 7];
    float b0r = s0[0] + s1[0], b0i = s0[1] + s1[1], b1r = s0[0] - s1[0], b1i = s0[1] - s1[1];
    float b2r = s2[0] + s3[0], b2i = s2[1] + s3[1], b3r = s2[0] - s3[0], b3i = s2[1] - s3[1];
    float b4r = s4[0] + s5[0], b4i = s4[1] + s5[1], b5r = s4[0] - s5[0], b5i = s4[1] - s5[1];
    float b6r = s6[0] + s7[0], b6i = s6[1] + s7[1], b7r = s6[0] - s7[0], b7i = s6[1] - s7[1];
    float c0r = b0r + b2r, c0i = b0i + b2i, c2r = b0r - b2r, c2i = b0i - b2i;
    float c1r = b1r + b3i, c1i = b1i - b3r, c3r = b1r - b3i, c3i = b1i + b3r;
    float c4r = b4r + b6r, c4i = b4i + b6i, c6r = b4r - b6r, c6i = b4i - b6i;
    float c5r = b5r + b7i, c5i = b5i - b7r, c7r = b5r - b7i, c7i = b5i + b7r;
    float *o = z + 2 * b, tr, ti;
    o[0] = c0r + c4r; o[1] = c0i + c4i; o[8] = c0r - c4r; o[9] = c0i - c4i;
    tr = (c5r + c5i) * R; ti = (c5i - c5r) * R;
    o[2] = c1r + tr; o[3] = c1i + ti; o[10] = c1r - tr; o[11] = c1i - ti;
    o[4] = c2r + c6i; o[5] = c2i - c6r; o[12] = c2r - c6i; o[13] = c2i + c6r;
    tr = (c7i - c7r) * R; ti = -(c7r + c7i) * R;
    o[6] = c3r + tr; o[7] = c3i + ti; o[14] = c3r - tr; o[15] = c3i - ti;
  }
`;
  } else if (plan.codelet === 4) {
    codelet = `  for (b = 0; b < ${m}; b += 4) {
    const float *s0 = x + 2 * ${p}_bitrev[b], *s1 = x + 2 * ${p}_bitrev[b + 1], *s2 = x + 2 * ${p}_bitrev[b + 2], *s3 = x + 2 * ${p}_bitrev[b + 3];
    float b0r = s0[0] + s1[0], b0i = s0[1] + s1[1], b1r = s0[0] - s1[0], b1i = s0[1] - s1[1];
    float b2r = s2[0] + s3[0], b2i = s2[1] + s3[1], b3r = s2[0] - s3[0], b3i = s2[1] - s3[1];
    float *o = z + 2 * b;
    o[0] = b0r + b2r; o[1] = b0i + b2i; o[4] = b0r - b2r; o[5] = b0i - b2i;
    o[2] = b1r + b3i; o[3] = b1i - b3r; o[6] = b1r - b3i; o[7] = b1i + b3r;
  }
`;
  } else if (m === 2) {
    codelet = '  z[0] = x[0] + x[2]; z[1] = x[1] + x[3]; z[2] = x[0] - x[2]; z[3] = x[1] - x[3];\n';
  } else {
    codelet = '  z[0] = x[0]; z[1] = x[1];\n';
  }
  parts.push(`/* n-point real FFT power spectrum (n = ${n}): returns the sum of the ${m + 1} powers. */
static float ${p}_rfft_power(const float *x, float *z, float *power) {
  const float R = ${cFloat(Math.SQRT1_2)};
  unsigned b;
  float sum, r0, i0;
  int k;
  (void)R; (void)b;
${codelet}${stageCode}  r0 = z[0]; i0 = z[1];
  power[0] = (r0 + i0) * (r0 + i0) * ${cFloat(1 / n)};
  power[${m}] = (r0 - i0) * (r0 - i0) * ${cFloat(1 / n)};
  sum = power[0] + power[${m}];
${m >= 2 ? `  /* bins k and m - k share their four inputs: X[m-k] = conj-mirrored halves with cos(π - θ) = -cos θ */
  for (k = 1; k < ${m / 2}; k++) {
    const float a = z[2 * k], bb = z[2 * k + 1], c = z[2 * (${m} - k)], d = z[2 * (${m} - k) + 1];
    const float er = a + c, ei = bb - d, or_ = bb + d, oi = c - a;
    const float cs = ${p}_cos[k], sn = ${p}_sin[k];
    const float pp = cs * or_ + sn * oi, qq = cs * oi - sn * or_;
    const float xr = er + pp, xi = ei + qq, yr = er - pp, yi = qq - ei;
    const float pw = (xr * xr + xi * xi) * ${cFloat(0.25 / n)}, pw2 = (yr * yr + yi * yi) * ${cFloat(0.25 / n)};
    power[k] = pw;
    power[${m} - k] = pw2;
    sum += pw + pw2;
  }
  { /* the middle bin, k = m/2: cos = 0, sin = 1 */
    const float a = z[${m}], bb = z[${m + 1}];
    const float pw = (4.0f * a * a + 4.0f * bb * bb) * ${cFloat(0.25 / n)};
    power[${m / 2}] = pw;
    sum += pw;
  }
` : ''}  return sum;
}
`);
  return parts.join('\n');
}
