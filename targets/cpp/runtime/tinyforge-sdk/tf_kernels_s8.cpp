/* tinyforge SDK: int8 kernels. Portable C everywhere; with TF_USE_DSP the convolutions,
 * depthwise convolutions and dense layers use 16-bit SIMD multiply-accumulate (SMLAD) on
 * weights the generator laid out for it. Both paths give identical results. */
#include <string.h>
#include "tf_kernels.h"
#include "tf_fixedpoint.h"
#include "tf_dsp.h"

extern "C" {

static inline int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }

TF_INLINE int8_t requant_c(const tf_requant_t *rq, int32_t acc, int32_t c) {
  return tf_requant(acc, rq->multiplier[c], rq->shift[c], rq->out_zp, rq->act_min, rq->act_max);
}

/* ------------------------------------------------------------------ convolution */

size_t tf_conv_s8_scratch(const tf_conv_s8_t *p) {
#if TF_USE_DSP
  return (size_t)p->k_padded * 2u * 2u; /* two im2col columns of int16 */
#else
  (void)p;
  return 0;
#endif
}

#if TF_USE_DSP
/* One im2col column (int16, input offset added, padding 0). With in_c % 4 == 0 the values are
 * stored in SXTB16 order (x0, x2, x1, x3) per group of 4 and the weights stay natural; otherwise
 * values are natural and the generator stored weights as (w0, w2, w1, w3). */
static void im2col_q15(const tf_conv_s8_t *p, const int8_t *in, int32_t oy, int32_t ox, int16_t *col) {
  const int32_t C = p->in_c, W = p->in_w, H = p->in_h;
  const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
  const int32_t off = -p->in_zp;
  const uint32_t off2 = ((uint32_t)(uint16_t)off) | ((uint32_t)(uint16_t)off << 16);
  const int simd = (C & 3) == 0;
  int16_t *d = col;
  for (int32_t ky = 0; ky < p->k_h; ky++) {
    const int32_t iy = iy0 + ky;
    if (iy < 0 || iy >= H) {
      memset(d, 0, (size_t)(p->k_w * C) * 2u);
      d += p->k_w * C;
      continue;
    }
    int32_t kx0 = imin(imax(0, -ix0), p->k_w), kx1 = imin(p->k_w, W - ix0);
    if (kx1 < kx0) kx1 = kx0;
    if (kx0 > 0) { memset(d, 0, (size_t)(kx0 * C) * 2u); d += kx0 * C; }
    const int8_t *s = in + (iy * W + ix0 + kx0) * C;
    const int32_t n = (kx1 - kx0) * C;
    if (simd) {
      for (int32_t i = 0; i < n; i += 4) {
        const uint32_t w = tf_read_u32(s + i);
        tf_write_u32(d, tf_sadd16(tf_sxtb16(w), off2));
        tf_write_u32(d + 2, tf_sadd16(tf_sxtb16_ror8(w), off2));
        d += 4;
      }
    } else {
      for (int32_t i = 0; i < n; i++) *d++ = (int16_t)(s[i] + off);
    }
    if (kx1 < p->k_w) { memset(d, 0, (size_t)((p->k_w - kx1) * C) * 2u); d += (p->k_w - kx1) * C; }
  }
  const int32_t k = p->k_h * p->k_w * C;
  for (int32_t i = k; i < p->k_padded; i++) col[i] = 0;
}

/* Two columns (pixels a, b) against all output channels, two channels at a time. */
static void matmul_2x2(const int8_t *wt, const int32_t *bias, const tf_requant_t *rq, int32_t kp, int32_t co_n,
                       const int16_t *ca, const int16_t *cb, int8_t *oa, int8_t *ob) {
  int32_t co = 0;
  for (; co + 1 < co_n; co += 2) {
    const int8_t *w0 = wt + co * kp;
    const int8_t *w1 = w0 + kp;
    int32_t a0 = bias[co], a1 = bias[co + 1], b0 = a0, b1 = a1;
    const int16_t *pa = ca, *pb = cb;
    for (int32_t k = 0; k < kp; k += 4) {
      const uint32_t u0 = tf_read_u32(w0 + k), u1 = tf_read_u32(w1 + k);
      const uint32_t l0 = tf_sxtb16(u0), h0 = tf_sxtb16_ror8(u0);
      const uint32_t l1 = tf_sxtb16(u1), h1 = tf_sxtb16_ror8(u1);
      uint32_t x = tf_read_u32(pa);
      a0 = tf_smlad(x, l0, a0);
      a1 = tf_smlad(x, l1, a1);
      x = tf_read_u32(pa + 2);
      a0 = tf_smlad(x, h0, a0);
      a1 = tf_smlad(x, h1, a1);
      x = tf_read_u32(pb);
      b0 = tf_smlad(x, l0, b0);
      b1 = tf_smlad(x, l1, b1);
      x = tf_read_u32(pb + 2);
      b0 = tf_smlad(x, h0, b0);
      b1 = tf_smlad(x, h1, b1);
      pa += 4;
      pb += 4;
    }
    oa[co] = requant_c(rq, a0, co);
    oa[co + 1] = requant_c(rq, a1, co + 1);
    if (ob) {
      ob[co] = requant_c(rq, b0, co);
      ob[co + 1] = requant_c(rq, b1, co + 1);
    }
  }
  if (co < co_n) {
    const int8_t *w0 = wt + co * kp;
    int32_t a0 = bias[co], b0 = a0;
    for (int32_t k = 0; k < kp; k += 4) {
      const uint32_t u0 = tf_read_u32(w0 + k);
      const uint32_t l0 = tf_sxtb16(u0), h0 = tf_sxtb16_ror8(u0);
      a0 = tf_smlad(tf_read_u32(ca + k), l0, a0);
      a0 = tf_smlad(tf_read_u32(ca + k + 2), h0, a0);
      b0 = tf_smlad(tf_read_u32(cb + k), l0, b0);
      b0 = tf_smlad(tf_read_u32(cb + k + 2), h0, b0);
    }
    oa[co] = requant_c(rq, a0, co);
    if (ob) ob[co] = requant_c(rq, b0, co);
  }
}

/* One column against all output channels, two at a time (dense layers, odd pixel). */
static void matmul_1x2(const int8_t *wt, const int32_t *bias, const tf_requant_t *rq, int32_t kp, int32_t co_n,
                       const int16_t *ca, int8_t *oa) {
  int32_t co = 0;
  for (; co + 1 < co_n; co += 2) {
    const int8_t *w0 = wt + co * kp;
    const int8_t *w1 = w0 + kp;
    int32_t a0 = bias[co], a1 = bias[co + 1];
    const int16_t *pa = ca;
    for (int32_t k = 0; k < kp; k += 4) {
      const uint32_t u0 = tf_read_u32(w0 + k), u1 = tf_read_u32(w1 + k);
      uint32_t x = tf_read_u32(pa);
      a0 = tf_smlad(x, tf_sxtb16(u0), a0);
      a1 = tf_smlad(x, tf_sxtb16(u1), a1);
      x = tf_read_u32(pa + 2);
      a0 = tf_smlad(x, tf_sxtb16_ror8(u0), a0);
      a1 = tf_smlad(x, tf_sxtb16_ror8(u1), a1);
      pa += 4;
    }
    oa[co] = requant_c(rq, a0, co);
    oa[co + 1] = requant_c(rq, a1, co + 1);
  }
  if (co < co_n) {
    const int8_t *w0 = wt + co * kp;
    int32_t a0 = bias[co];
    for (int32_t k = 0; k < kp; k += 4) {
      const uint32_t u0 = tf_read_u32(w0 + k);
      a0 = tf_smlad(tf_read_u32(ca + k), tf_sxtb16(u0), a0);
      a0 = tf_smlad(tf_read_u32(ca + k + 2), tf_sxtb16_ror8(u0), a0);
    }
    oa[co] = requant_c(rq, a0, co);
  }
}
#endif

void tf_conv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t H = p->in_h, W = p->in_w, C = p->in_c, OW = p->out_w, CO = p->out_c;
#if TF_USE_DSP
  int16_t *ca = (int16_t *)scratch;
  int16_t *cb = ca + p->k_padded;
  const int32_t pixels = p->out_h * OW;
  int32_t px = 0;
  for (; px + 1 < pixels; px += 2) {
    im2col_q15(p, in, px / OW, px % OW, ca);
    im2col_q15(p, in, (px + 1) / OW, (px + 1) % OW, cb);
    matmul_2x2((const int8_t *)p->weights, p->bias, &p->rq, p->k_padded, CO, ca, cb, out + px * CO, out + (px + 1) * CO);
  }
  if (px < pixels) {
    im2col_q15(p, in, px / OW, px % OW, ca);
    matmul_1x2((const int8_t *)p->weights, p->bias, &p->rq, p->k_padded, CO, ca, out + px * CO);
  }
  (void)H; (void)W; (void)C;
#else
  (void)scratch;
  const int8_t *wt = (const int8_t *)p->weights;
  const int32_t KH = p->k_h, KW = p->k_w, off = -p->in_zp;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(KH, H - iy0);
    for (int32_t ox = 0; ox < OW; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(KW, W - ix0);
      const int32_t run = (kx1 - kx0) * C;
      int8_t *o = out + (oy * OW + ox) * CO;
      for (int32_t co = 0; co < CO; co++) {
        int32_t acc = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
          const int8_t *x = in + ((iy0 + ky) * W + ix0 + kx0) * C;
          const int8_t *w = wt + ((co * KH + ky) * KW + kx0) * C;
          for (int32_t i = 0; i < run; i++) acc += (x[i] + off) * w[i];
        }
        o[co] = requant_c(&p->rq, tf_wrap_add(p->bias[co], acc), co);
      }
    }
  }
#endif
}

/* ------------------------------------------------------------------ depthwise */

#if TF_USE_DSP
static int dw_fast(const tf_conv_s8_t *p) { return p->depth_mult == 1 && (p->in_c & 3) == 0; }
#endif

size_t tf_dwconv_s8_scratch(const tf_conv_s8_t *p) {
#if TF_USE_DSP
  if (dw_fast(p)) return (size_t)((p->in_c + 7) & ~7) + (size_t)(p->k_h * p->k_w) * sizeof(void *);
#endif
  (void)p;
  return 0;
}

void tf_dwconv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t H = p->in_h, W = p->in_w, C = p->in_c, OW = p->out_w, CO = p->out_c, M = p->depth_mult;
  const int32_t KH = p->k_h, KW = p->k_w;
#if TF_USE_DSP
  if (dw_fast(p)) {
    /* Padding cells read a row of zero-point values: (zp - zp) * w = 0, which lets the
     * generator fold -zp * sum(w) into the bias for every pixel. */
    int8_t *zrow = (int8_t *)scratch;
    const int8_t **taps = (const int8_t **)(void *)((uint8_t *)scratch + ((C + 7) & ~7));
    memset(zrow, (int8_t)p->in_zp, (size_t)C);
    const int32_t T = KH * KW;
    const uint32_t *wt = (const uint32_t *)p->weights; /* [T][C/2] words of int16 pairs */
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < OW; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        for (int32_t ky = 0; ky < KH; ky++) {
          const int32_t iy = iy0 + ky;
          for (int32_t kx = 0; kx < KW; kx++) {
            const int32_t ix = ix0 + kx;
            taps[ky * KW + kx] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? in + (iy * W + ix) * C : zrow;
          }
        }
        int8_t *o = out + (oy * OW + ox) * CO;
        for (int32_t g = 0; g < C; g += 4) {
          int32_t a0 = p->bias[g], a1 = p->bias[g + 1], a2 = p->bias[g + 2], a3 = p->bias[g + 3];
          const uint32_t *w = wt + (g >> 1);
          for (int32_t t = 0; t < T; t++) {
            const uint32_t x = tf_read_u32(taps[t] + g);
            const uint32_t xl = tf_sxtb16(x), xh = tf_sxtb16_ror8(x);
            const uint32_t wl = w[0], wh = w[1];
            a0 = tf_smlabb(xl, wl, a0);
            a2 = tf_smlatt(xl, wl, a2);
            a1 = tf_smlabb(xh, wh, a1);
            a3 = tf_smlatt(xh, wh, a3);
            w += C >> 1;
          }
          o[g] = requant_c(&p->rq, a0, g);
          o[g + 1] = requant_c(&p->rq, a1, g + 1);
          o[g + 2] = requant_c(&p->rq, a2, g + 2);
          o[g + 3] = requant_c(&p->rq, a3, g + 3);
        }
      }
    }
    return;
  }
#endif
  (void)scratch;
  const int8_t *wt = (const int8_t *)p->weights;
  const int32_t off = -p->in_zp;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(KH, H - iy0);
    for (int32_t ox = 0; ox < OW; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(KW, W - ix0);
      int8_t *o = out + (oy * OW + ox) * CO;
      for (int32_t co = 0; co < CO; co++) {
        const int32_t ic = co / M;
        int32_t acc = 0;
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++)
            acc += (in[((iy0 + ky) * W + ix0 + kx) * C + ic] + off) * wt[(ky * KW + kx) * CO + co];
        o[co] = requant_c(&p->rq, tf_wrap_add(p->bias[co], acc), co);
      }
    }
  }
}

/* ------------------------------------------------------------------ dense */

size_t tf_fc_s8_scratch(const tf_fc_s8_t *p) {
#if TF_USE_DSP
  return (size_t)p->k_padded * 2u;
#else
  (void)p;
  return 0;
#endif
}

void tf_fc_s8(const tf_fc_s8_t *p, const int8_t *in, int8_t *out, void *scratch) {
#if TF_USE_DSP
  tf_conv_s8_t c;
  memset(&c, 0, sizeof c);
  c.in_h = c.in_w = c.out_h = c.out_w = 1;
  c.in_c = p->in_n;
  c.out_c = p->out_n;
  c.k_h = c.k_w = 1;
  c.stride_h = c.stride_w = 1;
  c.in_zp = p->in_zp;
  c.k_padded = p->k_padded;
  im2col_q15(&c, in, 0, 0, (int16_t *)scratch);
  matmul_1x2((const int8_t *)p->weights, p->bias, &p->rq, p->k_padded, p->out_n, (const int16_t *)scratch, out);
#else
  (void)scratch;
  const int8_t *wt = (const int8_t *)p->weights;
  const int32_t N = p->in_n, off = -p->in_zp;
  for (int32_t o = 0; o < p->out_n; o++) {
    const int8_t *w = wt + o * N;
    int32_t acc = 0;
    for (int32_t n = 0; n < N; n++) acc += (in[n] + off) * w[n];
    out[o] = requant_c(&p->rq, tf_wrap_add(p->bias[o], acc), o);
  }
#endif
}

/* ------------------------------------------------------------------ pools */

void tf_maxpool_s8(const tf_pool_t *p, const int8_t *in, int8_t *out) {
  const int32_t C = p->c, W = p->in_w, H = p->in_h;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(p->k_h, H - iy0);
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(p->k_w, W - ix0);
      int8_t *o = out + (oy * p->out_w + ox) * C;
      for (int32_t c = 0; c < C; c++) {
        int32_t m = -128;
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++) {
            const int32_t v = in[((iy0 + ky) * W + ix0 + kx) * C + c];
            if (v > m) m = v;
          }
        o[c] = (int8_t)tf_clamp(m, p->act_min, p->act_max);
      }
    }
  }
}

void tf_avgpool_s8(const tf_pool_t *p, const int8_t *in, int8_t *out) {
  const int32_t C = p->c, W = p->in_w, H = p->in_h;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(p->k_h, H - iy0);
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(p->k_w, W - ix0);
      const int32_t n = imax(0, ky1 - ky0) * imax(0, kx1 - kx0);
      int8_t *o = out + (oy * p->out_w + ox) * C;
      for (int32_t c = 0; c < C; c++) {
        int32_t sum = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
          const int8_t *x = in + ((iy0 + ky) * W + ix0) * C + c;
          for (int32_t kx = kx0; kx < kx1; kx++) sum += x[kx * C];
        }
        if (n == 0) { o[c] = 0; continue; } /* the reference stores 0 for an empty window */
        const int32_t avg = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
        o[c] = (int8_t)tf_clamp(avg, p->act_min, p->act_max);
      }
    }
  }
}

/* ------------------------------------------------------------------ softmax, elementwise */

void tf_softmax_s8(const tf_softmax_s8_t *p, const int8_t *in, int8_t *out) {
  const int32_t D = p->depth;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = in + r * D;
    int8_t *y = out + r * D;
    int32_t max_in_row = -128;
    for (int32_t d = 0; d < D; d++) if (x[d] > max_in_row) max_in_row = x[d];
    int32_t sum_of_exps = 0;
    for (int32_t d = 0; d < D; d++) {
      const int32_t diff = x[d] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t rescaled = tf_mbqm_gt_one(diff, p->input_multiplier, p->input_left_shift);
        sum_of_exps = tf_wrap_add(sum_of_exps, tf_sat_mul_pot(tf_exp_on_negative_values(rescaled, 5), -12));
      }
    }
    int num_bits_over_unit = 0;
    const int32_t reciprocal = tf_get_reciprocal(sum_of_exps, 12, &num_bits_over_unit);
    for (int32_t d = 0; d < D; d++) {
      const int32_t diff = x[d] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t rescaled = tf_mbqm_gt_one(diff, p->input_multiplier, p->input_left_shift);
        const int32_t e = tf_exp_on_negative_values(rescaled, 5);
        const int32_t unsat = tf_rdbpot_any(tf_srdhm(reciprocal, e), num_bits_over_unit + 31 - 8);
        y[d] = (int8_t)tf_clamp(unsat - 128, -128, 127);
      } else {
        y[d] = -128;
      }
    }
  }
}

void tf_requant_s8(int32_t n, int32_t in_zp, const tf_requant_t *rq, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < n; i++) out[i] = requant_c(rq, in[i] - in_zp, 0);
}

void tf_lut_s8(int32_t n, const int8_t *lut, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < n; i++) out[i] = lut[in[i] + 128];
}

} /* extern "C" */
