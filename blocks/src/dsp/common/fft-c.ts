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
  parts.push(cTable('float', `${p}_cos`, plan.cosFull));
  parts.push(cTable('float', `${p}_sin`, plan.sinFull));
  const stages = Array.from(plan.stages);
  parts.push(cTable('uint32_t', `${p}_span`, stages, cInt));
  parts.push(cTable('uint32_t', `${p}_twoff`, Array.from(plan.twiddleOffset), cInt));
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
  unsigned b, s;
  float sum, r0, i0;
  int k;
  (void)R; (void)b;
${codelet}  for (s = 0; s < ${stages.length}u; s++) {
    const unsigned span2 = 2u * ${p}_span[s], q2 = span2 >> 2;
    const float *tw = ${p}_tw + ${p}_twoff[s];
    unsigned j, a;
    for (j = 0; j < q2; j += 2) {
      const float *t = tw + 3u * j;
      const float c1 = t[0], s1 = t[1], c2 = t[2], s2 = t[3], c3 = t[4], s3 = t[5];
      for (a = j; a < ${2 * m}u; a += span2) {
        float *za = z + a, *z1 = za + q2, *z2 = z1 + q2, *z3 = z2 + q2;
        float br = z1[0] * c2 - z1[1] * s2, bi = z1[0] * s2 + z1[1] * c2;
        float cr = z2[0] * c1 - z2[1] * s1, ci = z2[0] * s1 + z2[1] * c1;
        float dr = z3[0] * c3 - z3[1] * s3, di = z3[0] * s3 + z3[1] * c3;
        float e0r = za[0] + br, e0i = za[1] + bi, e1r = za[0] - br, e1i = za[1] - bi;
        float o0r = cr + dr, o0i = ci + di, o1r = cr - dr, o1i = ci - di;
        za[0] = e0r + o0r; za[1] = e0i + o0i;
        z2[0] = e0r - o0r; z2[1] = e0i - o0i;
        z1[0] = e1r + o1i; z1[1] = e1i - o1r;
        z3[0] = e1r - o1i; z3[1] = e1i + o1r;
      }
    }
  }
  r0 = z[0]; i0 = z[1];
  power[0] = (r0 + i0) * (r0 + i0) * ${cFloat(1 / n)};
  power[${m}] = (r0 - i0) * (r0 - i0) * ${cFloat(1 / n)};
  sum = power[0] + power[${m}];
  for (k = 1; k < ${m}; k++) {
    const float a = z[2 * k], bb = z[2 * k + 1], c = z[2 * (${m} - k)], d = z[2 * (${m} - k) + 1];
    const float er = a + c, ei = bb - d, or_ = bb + d, oi = c - a;
    const float cs = ${p}_cos[k], sn = ${p}_sin[k];
    const float xr = er + cs * or_ + sn * oi, xi = ei + cs * oi - sn * or_;
    const float pw = (xr * xr + xi * xi) * ${cFloat(0.25 / n)};
    power[k] = pw;
    sum += pw;
  }
  return sum;
}
`);
  return parts.join('\n');
}
