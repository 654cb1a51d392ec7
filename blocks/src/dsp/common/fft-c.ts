/**
 * C version of fft.ts for one FFT length: `static float <p>_rfft_power(const float *x, float *z,
 * float *power)` takes n real samples, uses z (n floats) as work space, writes the n/2+1 powers
 * |X[k]|²/n and returns their sum. Same algorithm as fft.ts (n/2-point complex FFT: 8/4-point
 * codelet reading in bit-reversed order, radix-4 stages, split step), float32, tables baked as
 * static const, shaped for Cortex-M -Os: each stage's span is a constant, the j = 0 butterflies
 * skip their unit twiddles, the split computes bins k and m − k together, and the last radix-4
 * stage is fused with the split (its outputs never go through memory).
 */
import { cFloat, cIndexType, cInt, cTable } from '../emit-c.js';
import { createRealFftPlan } from './fft.js';

/**
 * With \`preEmphasisShift\`, the function is \`<p>_rfft_power(x, c, z, power)\` and transforms
 * x[k] − c·x[k − shift] instead of x[k]: pre-emphasis fused into the first pass, so a frame can be
 * read in place from the signal (x[−shift…−1] must be readable; pass c = 0 for a ready frame).
 */
export function emitRealFftC(p: string, n: number, opts: { preEmphasisShift?: number; unscaled?: boolean } = {}): string {
  const shift = opts.preEmphasisShift;
  // unscaled: powers (and their sum) come out multiplied by 4n, the caller folds 1/(4n) into its weights.
  const unscaled = opts.unscaled === true;
  const plan = createRealFftPlan(n);
  const m = plan.m;
  const parts: string[] = [];
  // Only the tables this length uses (-Werror builds reject unused statics).
  if (plan.codelet >= 4) parts.push(cTable(cIndexType(m), `${p}_bitrev`, plan.bitReverse, cInt));
  if (plan.stages.length > 0) parts.push(cTable('float', `${p}_tw`, plan.twiddles));
  if (m >= 4) {
    parts.push(cTable('float', `${p}_cos`, plan.cosFull.slice(0, Math.floor(m / 2) + 1)));
    parts.push(cTable('float', `${p}_sin`, plan.sinFull.slice(0, Math.floor(m / 2) + 1)));
  }
  const stages = Array.from(plan.stages);
  // One loop nest per radix-4 stage with its span baked in: constant offsets address the four
  // quarters, the twiddles are read in order (6 floats per butterfly index), nothing spills on -Os.
  const fuse = stages.length > 0;
  const stageCode = stages.slice(0, fuse ? -1 : undefined).map((span, si) => {
    const q2 = span / 2; // floats per quarter
    return `  { /* radix-4 stage, span ${span} */
    float *zb;
    for (zb = z; zb < z + ${2 * m}; zb += ${2 * span}) {
      const float *t = ${p}_tw + ${plan.twiddleOffset[si]! + 6};
      float *za = zb;
      { /* j = 0: all twiddles are 1 */
        const float x1r = za[${q2}], x1i = za[${q2 + 1}], x2r = za[${2 * q2}], x2i = za[${2 * q2 + 1}], x3r = za[${3 * q2}], x3i = za[${3 * q2 + 1}];
        const float e0r = za[0] + x1r, e0i = za[1] + x1i, e1r = za[0] - x1r, e1i = za[1] - x1i;
        const float o0r = x2r + x3r, o0i = x2i + x3i, o1r = x2r - x3r, o1i = x2i - x3i;
        za[0] = e0r + o0r; za[1] = e0i + o0i;
        za[${2 * q2}] = e0r - o0r; za[${2 * q2 + 1}] = e0i - o0i;
        za[${q2}] = e1r + o1i; za[${q2 + 1}] = e1i - o1r;
        za[${3 * q2}] = e1r - o1i; za[${3 * q2 + 1}] = e1i + o1r;
      }
      for (za = zb + 2; za < zb + ${q2}; za += 2, t += 6) {
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
  const rd = (i: number, k: number): string => (shift === undefined ? `s${i}[${k}]` : `(s${i}[${k}] - c * s${i}[${k - shift}])`);
  const rdx = (k: number): string => (shift === undefined ? `x[${k}]` : `(x[${k}] - c * x[${k - shift}])`);
  let codelet: string;
  if (plan.codelet === 8) {
    codelet = `  for (b = 0; b < ${m}; b += 8) {
    const float *s0 = x + 2 * ${p}_bitrev[b], *s1 = x + 2 * ${p}_bitrev[b + 1], *s2 = x + 2 * ${p}_bitrev[b + 2], *s3 = x + 2 * ${p}_bitrev[b + 3];
    const float *s4 = x + 2 * ${p}_bitrev[b + 4], *s5 = x + 2 * ${p}_bitrev[b + 5], *s6 = x + 2 * ${p}_bitrev[b + 6], *s7 = x + 2 * ${p}_bitrev[b + 7];
    const float a0r = ${rd(0, 0)}, a0i = ${rd(0, 1)}, a1r = ${rd(1, 0)}, a1i = ${rd(1, 1)}, a2r = ${rd(2, 0)}, a2i = ${rd(2, 1)}, a3r = ${rd(3, 0)}, a3i = ${rd(3, 1)}, a4r = ${rd(4, 0)}, a4i = ${rd(4, 1)}, a5r = ${rd(5, 0)}, a5i = ${rd(5, 1)}, a6r = ${rd(6, 0)}, a6i = ${rd(6, 1)}, a7r = ${rd(7, 0)}, a7i = ${rd(7, 1)};
    float b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i;
    float b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i;
    float b4r = a4r + a5r, b4i = a4i + a5i, b5r = a4r - a5r, b5i = a4i - a5i;
    float b6r = a6r + a7r, b6i = a6i + a7i, b7r = a6r - a7r, b7i = a6i - a7i;
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
    const float a0r = ${rd(0, 0)}, a0i = ${rd(0, 1)}, a1r = ${rd(1, 0)}, a1i = ${rd(1, 1)}, a2r = ${rd(2, 0)}, a2i = ${rd(2, 1)}, a3r = ${rd(3, 0)}, a3i = ${rd(3, 1)};
    float b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i;
    float b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i;
    float *o = z + 2 * b;
    o[0] = b0r + b2r; o[1] = b0i + b2i; o[4] = b0r - b2r; o[5] = b0i - b2i;
    o[2] = b1r + b3i; o[3] = b1i - b3r; o[6] = b1r - b3i; o[7] = b1i + b3r;
  }
`;
  } else if (m === 2) {
    codelet = `  z[0] = ${rdx(0)} + ${rdx(2)}; z[1] = ${rdx(1)} + ${rdx(3)}; z[2] = ${rdx(0)} - ${rdx(2)}; z[3] = ${rdx(1)} - ${rdx(3)};\n`;
  } else {
    codelet = `  z[0] = ${rdx(0)}; z[1] = ${rdx(1)};\n`;
  }
  const scaled = (e: string, k: number): string => (unscaled ? (k === 1 ? e : `${e} * ${cFloat(k)}`) : `${e} * ${cFloat(k * 0.25 / n)}`);
  /** The last radix-4 butterfly at index j (a C expression) as locals <v>0r … <v>3i = Z[j + l·q]. */
  const lastBf = (j: string, v: string, q2: number, t0: number): string => `    {
      const float *za = z + 2 * (${j}), *t = ${p}_tw + ${t0} + 6 * (${j});
      const float c1 = t[0], s1 = t[1], c2 = t[2], s2 = t[3], c3 = t[4], s3 = t[5];
      const float x1r = za[${q2}], x1i = za[${q2 + 1}], x2r = za[${2 * q2}], x2i = za[${2 * q2 + 1}], x3r = za[${3 * q2}], x3i = za[${3 * q2 + 1}];
      const float br = x1r * c2 - x1i * s2, bi = x1r * s2 + x1i * c2;
      const float cr = x2r * c1 - x2i * s1, ci = x2r * s1 + x2i * c1;
      const float dr = x3r * c3 - x3i * s3, di = x3r * s3 + x3i * c3;
      const float e0r = za[0] + br, e0i = za[1] + bi, e1r = za[0] - br, e1i = za[1] - bi;
      const float o0r = cr + dr, o0i = ci + di, o1r = cr - dr, o1i = ci - di;
      ${v}0r = e0r + o0r; ${v}0i = e0i + o0i; ${v}2r = e0r - o0r; ${v}2i = e0i - o0i;
      ${v}1r = e1r + o1i; ${v}1i = e1i - o1r; ${v}3r = e1r - o1i; ${v}3i = e1i + o1r;
    }
`;
  /** Split step for bins k and m − k from Z[k] = (a, b) and Z[m − k] = (c, d). */
  const pair = (k: string, a: string, b: string, c: string, d: string): string => `    {
      const int k = ${k};
      const float er = ${a} + ${c}, ei = ${b} - ${d}, or_ = ${b} + ${d}, oi = ${c} - ${a};
      const float cs = ${p}_cos[k], sn = ${p}_sin[k];
      const float pp = cs * or_ + sn * oi, qq = cs * oi - sn * or_;
      const float xr = er + pp, xi = ei + qq, yr = er - pp, yi = qq - ei;
      const float pw = ${scaled('(xr * xr + xi * xi)', 1)}, pw2 = ${scaled('(yr * yr + yi * yi)', 1)};
      power[k] = pw;
      power[${m} - k] = pw2;
      sum += pw + pw2;
    }
`;
  let tail: string;
  if (fuse) {
    // The last stage (span m, q = m/4) fused with the split: butterflies j and q − j give
    // Z[j + l·q] and Z[q − j + l·q], which hold both halves of four split pairs, so the
    // last stage's outputs never go through memory.
    const span = stages[stages.length - 1]!;
    const q = span / 4;
    const q2 = span / 2;
    const t0 = plan.twiddleOffset[stages.length - 1]!;
    const decl = (v: string): string => `    float ${[0, 1, 2, 3].map((l) => `${v}${l}r, ${v}${l}i`).join(', ')};
`;
    tail = `  { /* last radix-4 stage (span ${span}) fused with the split */
${decl('A')}${decl('B')}    int j;
${lastBf('0', 'A', q2, t0)}    power[0] = ${scaled('(A0r + A0i) * (A0r + A0i)', 4)};
    power[${m}] = ${scaled('(A0r - A0i) * (A0r - A0i)', 4)};
    power[${m / 2}] = ${scaled('(A2r * A2r + A2i * A2i)', 4)}; /* middle bin: cos 0, sin 1 */
    sum = power[0] + power[${m}] + power[${m / 2}];
${pair(String(q), 'A1r', 'A1i', 'A3r', 'A3i')}    for (j = 1; j < ${q / 2}; j++) {
${lastBf('j', 'A', q2, t0)}${lastBf(`${q} - j`, 'B', q2, t0)}${pair('j', 'A0r', 'A0i', 'B3r', 'B3i')}${pair(`${q} + j`, 'A1r', 'A1i', 'B2r', 'B2i')}${pair(`${2 * q} - j`, 'B1r', 'B1i', 'A2r', 'A2i')}${pair(`${q} - j`, 'B0r', 'B0i', 'A3r', 'A3i')}    }
${lastBf(String(q / 2), 'A', q2, t0)}${pair(String(q / 2), 'A0r', 'A0i', 'A3r', 'A3i')}${pair(String((3 * q) / 2), 'A1r', 'A1i', 'A2r', 'A2i')}  }
`;
  } else {
    tail = `  r0 = z[0]; i0 = z[1];
  power[0] = ${scaled('(r0 + i0) * (r0 + i0)', 4)};
  power[${m}] = ${scaled('(r0 - i0) * (r0 - i0)', 4)};
  sum = power[0] + power[${m}];
${m >= 4 ? `  for (k = 1; k < ${m / 2}; k++) {
${pair('k', 'z[2 * k]', 'z[2 * k + 1]', `z[2 * (${m} - k)]`, `z[2 * (${m} - k) + 1]`).replace(/^    \{\n      const int k = k;\n/, '    {\n')}  }
` : ''}${m >= 2 ? `  { /* the middle bin, k = m/2: cos = 0, sin = 1 */
    const float a = z[${m}], bb = z[${m + 1}];
    const float pw = ${scaled('(a * a + bb * bb)', 4)};
    power[${m / 2}] = pw;
    sum += pw;
  }
` : ''}`;
  }
  parts.push(`/* n-point real FFT power spectrum (n = ${n}): returns the sum of the ${m + 1} powers. */
TF_NOINLINE static float ${p}_rfft_power(const float *x, ${shift === undefined ? '' : 'float c, '}float *z, float *power) {
  const float R = ${cFloat(Math.SQRT1_2)};
  unsigned b;
  float sum${fuse ? '' : ', r0, i0'};
${!fuse && m >= 4 ? '  int k;\n' : ''}  (void)R; (void)b;
${codelet}${stageCode}${tail}  return sum;
}
`);
  return parts.join('\n');
}
