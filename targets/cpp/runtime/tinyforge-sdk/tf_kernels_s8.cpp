/* tinyforge SDK: int8 kernels. Portable C everywhere; with TF_USE_DSP the convolutions,
 * depthwise convolutions and dense layers use 16-bit SIMD multiply-accumulate (SMLAD) on
 * weights the generator laid out for it. Both paths give identical results. */
#include <string.h>
#include "tf_kernels.h"
#include "tf_fixedpoint.h"
#include "tf_dsp.h"

/* The hot loops are built for speed even in a size-optimized (-Os) build, as TFLM does for its
 * kernels; define TF_KERNELS_OPTIMIZE_SIZE to keep the caller's flags. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(TF_KERNELS_OPTIMIZE_SIZE)
#pragma GCC optimize("O2")
#endif

extern "C" {

/* Kept out of line: inlined into their one caller they cost it registers (spills) in its loops. */
#if defined(__GNUC__)
#define TF_NOINLINE __attribute__((noinline))
#else
#define TF_NOINLINE
#endif

static inline int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }

TF_INLINE int8_t requant_c(const tf_requant_t *rq, int32_t acc, int32_t c) {
  if (rq->fast) return (int8_t)tf_clamp(tf_mbqm_fast(acc, rq->fast[2 * c], rq->fast[2 * c + 1], rq->fast_shift[c]) + rq->out_zp, rq->act_min, rq->act_max);
  return tf_requant(acc, rq->multiplier[c], rq->shift[c], rq->out_zp, rq->act_min, rq->act_max);
}

/* ------------------------------------------------------------------ convolution */

size_t tf_conv_s8_scratch(const tf_conv_s8_t *p) {
#if TF_USE_DSP
  return (size_t)p->k_padded * 2u * 2u; /* two interleaved im2col columns of int16 */
#else
  (void)p;
  return 0;
#endif
}

#if TF_USE_DSP
/* n words of int8 from s into one column slot (every other pair of words) in SXTB16 order, offset added. */
static void col_words(const int8_t *s, int32_t n, uint32_t off2, uint32_t *d) {
  for (; n > 0; n--, s += 4, d += 4) {
    const uint32_t w = tf_read_u32(s);
    d[0] = tf_sadd16(tf_sxtb16(w), off2);
    d[1] = tf_sadd16(tf_sxtb16_ror8(w), off2);
  }
}

/* Longest kernel row (k_w * in_c bytes) im2col_q15 copies to the stack to pad it. */
#define TF_ROW_MAX 64

/* im2col for two pixels, interleaved per group of 4 values: A0..A3 B0..B3 A4..A7 B4..B7 ...
 * (int16, input offset added, padding 0). With in_c % 4 == 0, k_h == 1 or k_w * in_c % 4 == 0
 * each group is stored in SXTB16 order (x0, x2, x1, x3) and the weights stay natural; otherwise values are natural and
 * the generator stored the weights as (w0, w2, w1, w3). `slot` 0 writes pixel A, 1 pixel B.
 * With k_h == 1 a pixel's window is one contiguous run of k_w * in_c values (1D convolutions,
 * dense layers), read a word at a time whatever in_c is. */
TF_NOINLINE static void im2col_q15(const tf_conv_s8_t *p, const int8_t *in, int32_t oy, int32_t ox, int16_t *col, int32_t slot) {
  const int32_t C = p->in_c, W = p->in_w, H = p->in_h, KW = p->k_w;
  const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
  const int32_t off = -p->in_zp;
  const uint32_t off2 = ((uint32_t)(uint16_t)off) | ((uint32_t)(uint16_t)off << 16);
  col += slot * 4;
  /* SXTB16 order: k_h == 1, or kernel rows of whole groups (k_w * in_c % 4 == 0). */
  const int sx = p->k_h == 1 || ((KW * C) & 3) == 0;
  int32_t k = 0;
  if (p->k_h == 1 && iy0 >= 0 && iy0 < H && ix0 >= 0 && ix0 + KW <= W) {
    const int8_t *s = in + (iy0 * W + ix0) * C;
    const int32_t K = KW * C;
    /* The last partial word may be read whole while it stays inside the input tensor: its extra
     * values meet zero padding weights. */
    const int32_t whole = (iy0 * W + ix0) * C + p->k_padded <= H * W * C ? p->k_padded : (K & ~3);
    uint32_t *d = (uint32_t *)(void *)col;
    for (; k < whole; k += 4) {
      const uint32_t w = tf_read_u32(s + k);
      d[0] = tf_sadd16(tf_sxtb16(w), off2);
      d[1] = tf_sadd16(tf_sxtb16_ror8(w), off2);
      d += 4;
    }
    for (; k < K; k++) col[(k & ~3) * 2 + (((k & 1) << 1) | ((k >> 1) & 1))] = (int16_t)(s[k] + off);
  } else if ((C & 3) == 0) {
    uint32_t *d = (uint32_t *)(void *)col;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
      const int32_t iy = iy0 + ky;
      for (int32_t kx = 0; kx < KW; kx++) {
        const int32_t ix = ix0 + kx;
        if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
          for (int32_t i = 0; i < C; i += 4) { d[0] = 0; d[1] = 0; d += 4; }
          continue;
        }
        const int8_t *s = in + (iy * W + ix) * C;
        for (int32_t i = 0; i < C; i += 4) {
          const uint32_t w = tf_read_u32(s + i);
          d[0] = tf_sadd16(tf_sxtb16(w), off2);
          d[1] = tf_sadd16(tf_sxtb16_ror8(w), off2);
          d += 4;
        }
      }
    }
    return;
  } else if (((KW * C) & 3) == 0 && KW * C <= TF_ROW_MAX) {
    /* k_h > 1 with kernel rows of whole groups: rows inside the input are read a word at a
     * time, padding rows are zeros, and a row cut by the left or right edge is first copied with
     * the zero point in its padding cells (the offset turns those into 0). */
    const int32_t words = (KW * C) >> 2;
    uint32_t *d = (uint32_t *)(void *)col;
    for (int32_t ky = 0; ky < p->k_h; ky++, d += 4 * words) {
      const int32_t iy = iy0 + ky;
      if (iy < 0 || iy >= H) {
        for (int32_t i = 0; i < 4 * words; i += 4) { d[i] = 0; d[i + 1] = 0; }
      } else if (ix0 >= 0 && ix0 + KW <= W) {
        col_words(in + (iy * W + ix0) * C, words, off2, d);
      } else {
        uint32_t row[TF_ROW_MAX / 4];
        const uint32_t zp4 = 0x01010101u * (uint8_t)p->in_zp;
        for (int32_t i = 0; i < words; i++) row[i] = zp4;
        const int32_t kx0 = imax(0, -ix0), kx1 = imin(KW, W - ix0);
        if (kx1 > kx0) memcpy((int8_t *)row + kx0 * C, in + (iy * W + ix0 + kx0) * C, (size_t)((kx1 - kx0) * C));
        col_words((const int8_t *)row, words, off2, d);
      }
    }
    return;
  } else {
    for (int32_t ky = 0; ky < p->k_h; ky++) {
      const int32_t iy = iy0 + ky;
      for (int32_t kx = 0; kx < KW; kx++) {
        const int32_t ix = ix0 + kx;
        const int valid = iy >= 0 && iy < H && ix >= 0 && ix < W;
        const int8_t *s = in + (iy * W + ix) * C;
        for (int32_t c = 0; c < C; c++, k++) {
          const int32_t pos = sx ? (((k & 1) << 1) | ((k >> 1) & 1)) : (k & 3);
          col[(k & ~3) * 2 + pos] = (int16_t)(valid ? s[c] + off : 0);
        }
      }
    }
  }
  for (; k < p->k_padded; k++) col[(k & ~3) * 2 + (sx ? (((k & 1) << 1) | ((k >> 1) & 1)) : (k & 3))] = 0;
}

/* gemmlowp SaturatingRoundingDoublingHighMul for a requantization multiplier: on the core the
 * rounding constant is added to the low word (ADDS/ADC), which keeps two registers free that a
 * preloaded SMLAL accumulator would hold across the loop. */
TF_INLINE int32_t srdhm_core(int32_t a, int32_t m) {
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
  uint32_t lo; int32_t hi;
  __asm__("smull %0, %1, %2, %3\n\tadds %0, %0, #0x40000000\n\tadc %1, %1, #0" : "=&r"(lo), "=&r"(hi) : "r"(a), "r"(m) : "cc");
  return (int32_t)((lo >> 31) | ((uint32_t)hi << 1));
#else
  return tf_srdhm_m(a, m);
#endif
}

/* Signed saturation to 8 and 16 bits (SSAT on the core). */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
TF_INLINE int32_t ssat8(int32_t x) { int32_t r; __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(x)); return r; }
TF_INLINE int32_t ssat16(int32_t x) { int32_t r; __asm__("ssat %0, #16, %1" : "=r"(r) : "r"(x)); return r; }
#else
TF_INLINE int32_t ssat8(int32_t x) { return tf_clamp(x, -128, 127); }
TF_INLINE int32_t ssat16(int32_t x) { return tf_clamp(x, -32768, 32767); }
#endif

/* tf_mbqm without branches: both shifts are taken (one is 0) and RoundingDivideByPOT's
 * "remainder above threshold" is the sign bit of threshold - remainder. */
TF_INLINE int32_t mbqm_flat(int32_t x, int32_t m, int32_t s) {
  const int32_t left = s & ~(s >> 31), right = left - s;
  const int32_t v = srdhm_core(tf_wrap_shl(x, left), m);
  const uint32_t mask = (1u << right) - 1u;
  const uint32_t rem = (uint32_t)v & mask;
  const uint32_t thr = (mask >> 1) + ((uint32_t)v >> 31);
  return tf_wrap_add(v >> right, (int32_t)((thr - rem) >> 31));
}

/* tf_mbqm_fast on the core: SMLAL onto the rounding constant, the high word shifted. */
TF_INLINE int32_t mbqm_fast_core(int32_t x, int32_t m, int32_t round, int32_t rsh) {
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
  uint32_t lo = ((uint32_t)x & 0x80000000u) | 0x40000000u;
  int32_t hi = round + (x >> 31);
  __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(m));
  return hi >> rsh;
#else
  return tf_mbqm_fast(x, m, round, rsh);
#endif
}

/* Requantizes a run of accumulators of channels c0.. in a loop of its own: done inside the
 * multiply loop it needs more live registers than the core has and spills. clamp(v + zp) to
 * [-128, 127] is ssat8(ssat16(v) + zp) (|zp| <= 128), which needs no bound registers; the
 * one-step form gives |v| < 2^30, so v + zp cannot overflow. */
TF_NOINLINE static void requant_run(const int32_t *acc, int32_t n, const tf_requant_t *rq, int32_t c0, int8_t *out) {
  if (rq->fast) {
    const int32_t *f = rq->fast + 2 * c0;
    const uint8_t *rs = rq->fast_shift + c0;
    const int32_t zp = rq->out_zp, lo = rq->act_min, hi = rq->act_max;
    if (lo == -128 && hi == 127) {
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
      /* Written out (13 instructions per output; gcc's version takes 15): mbqm_fast_core, + zp, SSAT. */
      if (n > 0) {
        uint32_t x, m, r, sh, l, h;
        __asm__ volatile(
            "1:\n\t"
            "ldr %[x], [%[acc]], #4\n\t"
            "ldrd %[m], %[r], [%[f]], #8\n\t"
            "ldrb %[sh], [%[rs]], #1\n\t"
            "and %[l], %[x], #0x80000000\n\t"
            "orr %[l], %[l], #0x40000000\n\t"
            "add %[h], %[r], %[x], asr #31\n\t"
            "smlal %[l], %[h], %[x], %[m]\n\t"
            "asr %[h], %[h], %[sh]\n\t"
            "add %[h], %[h], %[zp]\n\t"
            "ssat %[h], #8, %[h]\n\t"
            "strb %[h], [%[out]], #1\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b"
            : [acc] "+r"(acc), [f] "+r"(f), [rs] "+r"(rs), [out] "+r"(out), [n] "+r"(n),
              [x] "=&r"(x), [m] "=&r"(m), [r] "=&r"(r), [sh] "=&r"(sh), [l] "=&r"(l), [h] "=&r"(h)
            : [zp] "r"(zp)
            : "cc", "memory");
      }
#else
      for (int32_t i = 0; i < n; i++, f += 2) out[i] = (int8_t)ssat8(mbqm_fast_core(acc[i], f[0], f[1], rs[i]) + zp);
#endif
    } else if (hi == 127) {
      for (int32_t i = 0; i < n; i++, f += 2) out[i] = (int8_t)imax(ssat8(mbqm_fast_core(acc[i], f[0], f[1], rs[i]) + zp), lo);
    } else {
      for (int32_t i = 0; i < n; i++, f += 2) out[i] = (int8_t)tf_clamp(mbqm_fast_core(acc[i], f[0], f[1], rs[i]) + zp, lo, hi);
    }
    return;
  }
  const int32_t *mult = rq->multiplier + c0;
  const int8_t *shift = rq->shift + c0;
  const int32_t zp = rq->out_zp, lo = rq->act_min, hi = rq->act_max;
  if (lo == -128 && hi == 127) {
    for (int32_t i = 0; i < n; i++) out[i] = (int8_t)ssat8(ssat16(mbqm_flat(acc[i], mult[i], shift[i])) + zp);
  } else {
    for (int32_t i = 0; i < n; i++) out[i] = (int8_t)tf_clamp(ssat16(mbqm_flat(acc[i], mult[i], shift[i])) + zp, lo, hi);
  }
}

/* Channels per accumulator block: two pixels' int32 sums of this many channels live on the stack
 * (a power of 2 and a multiple of 4: the depthwise kernel fills it 4 channels at a time). */
#define TF_ACC_BLOCK 16

/* One group of 4 values: two channels (weights u0, u1) against two pixels (columns at x). */
#define TF_MM_STEP(w, x)                                                      \
  do {                                                                        \
    const uint32_t u0 = (w)[0], u1 = (w)[1];                                  \
    const uint32_t xa0 = (x)[0], xa1 = (x)[1], xb0 = (x)[2], xb1 = (x)[3];    \
    const uint32_t l0 = tf_sxtb16(u0), h0 = tf_sxtb16_ror8(u0);               \
    const uint32_t l1 = tf_sxtb16(u1), h1 = tf_sxtb16_ror8(u1);               \
    a0 = tf_smlad(xa0, l0, a0);                                               \
    a0 = tf_smlad(xa1, h0, a0);                                               \
    a1 = tf_smlad(xa0, l1, a1);                                               \
    a1 = tf_smlad(xa1, h1, a1);                                               \
    b0 = tf_smlad(xb0, l0, b0);                                               \
    b0 = tf_smlad(xb1, h0, b0);                                               \
    b1 = tf_smlad(xb0, l1, b1);                                               \
    b1 = tf_smlad(xb1, h1, b1);                                               \
  } while (0)

/* One group of the assembly loop below: 4 inputs × 2 channels × 2 columns = 16 MACs, 15 instructions. */
#define TF_MM_ASM_GROUP                               \
  "ldrd %[u0], %[u1], [%[w]], #8\n\t"                \
  "ldrd %[x0], %[x1], [%[x]], #8\n\t"                \
  "sxtb16 %[l0], %[u0]\n\t"                          \
  "sxtb16 %[u0], %[u0], ror #8\n\t"                  \
  "sxtb16 %[l1], %[u1]\n\t"                          \
  "sxtb16 %[u1], %[u1], ror #8\n\t"                  \
  "smlad %[a0], %[x0], %[l0], %[a0]\n\t"             \
  "smlad %[a0], %[x1], %[u0], %[a0]\n\t"             \
  "smlad %[a1], %[x0], %[l1], %[a1]\n\t"             \
  "smlad %[a1], %[x1], %[u1], %[a1]\n\t"             \
  "ldrd %[x0], %[x1], [%[x]], #8\n\t"                \
  "smlad %[b0], %[x0], %[l0], %[b0]\n\t"             \
  "smlad %[b0], %[x1], %[u0], %[b0]\n\t"             \
  "smlad %[b1], %[x0], %[l1], %[b1]\n\t"             \
  "smlad %[b1], %[x1], %[u1], %[b1]\n\t"

/* Sums of one channel pair (weights at w, biases bias0/bias1) over both columns into sa/sb;
 * returns the next pair's weights. */
TF_INLINE const uint32_t *mm_pair(const uint32_t *w, const uint32_t *x, int32_t groups, int32_t bias0, int32_t bias1,
                                  int32_t *sa, int32_t *sb) {
  int32_t a0 = bias0, a1 = bias1, b0 = a0, b1 = a1;
  if (groups & 1) { TF_MM_STEP(w, x); w += 2; x += 4; }
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
  /* Two groups per iteration, 15 instructions per 16 MACs: written out because gcc schedules
   * the loads of the C version early and spills (13 live registers). */
  if (groups >> 1) {
    int32_t n = groups >> 1;
    uint32_t u0, u1, l0, l1, x0, x1;
    __asm__ volatile(
        "1:\n\t"
        TF_MM_ASM_GROUP
        TF_MM_ASM_GROUP
        "subs %[n], %[n], #1\n\t"
        "bne 1b"
        : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [w] "+r"(w), [x] "+r"(x), [n] "+r"(n),
          [u0] "=&r"(u0), [u1] "=&r"(u1), [l0] "=&r"(l0), [l1] "=&r"(l1), [x0] "=&r"(x0), [x1] "=&r"(x1)
        :
        : "cc", "memory");
  }
#else
  for (int32_t n = groups >> 1; n > 0; n--, w += 4, x += 8) {
    TF_MM_STEP(w, x);
    TF_MM_STEP(w + 2, x + 4);
  }
#endif
  sa[0] = a0; sa[1] = a1;
  sb[0] = b0; sb[1] = b1;
  return w;
}

/* The same for column A only (dense layers). */
TF_INLINE const uint32_t *mm_pair1(const uint32_t *w, const uint32_t *x, int32_t groups, int32_t bias0, int32_t bias1, int32_t *sa) {
  int32_t a0 = bias0, a1 = bias1;
  for (const uint32_t *end = w + groups * 2; w != end; w += 2, x += 4) {
    const uint32_t u0 = w[0], u1 = w[1], xa0 = x[0], xa1 = x[1];
    const uint32_t l0 = tf_sxtb16(u0), h0 = tf_sxtb16_ror8(u0);
    const uint32_t l1 = tf_sxtb16(u1), h1 = tf_sxtb16_ror8(u1);
    a0 = tf_smlad(xa0, l0, a0);
    a0 = tf_smlad(xa1, h0, a0);
    a1 = tf_smlad(xa0, l1, a1);
    a1 = tf_smlad(xa1, h1, a1);
  }
  sa[0] = a0; sa[1] = a1;
  return w;
}

/* Two interleaved columns (or column A alone when ob is null) against the output channels, two
 * channels at a time. The weights of channels (2j, 2j+1) are interleaved per group of 4 (8 bytes
 * per group), pair after pair (an odd count has a zero last row), so one pointer walks them all.
 * Sums go to a small block on the stack, requantized by requant_run. */
TF_NOINLINE static void matmul_2x2(const int8_t *wt, const int32_t *bias, const tf_requant_t *rq, int32_t kp, int32_t co_n,
                       const int16_t *col, int8_t *oa, int8_t *ob) {
  int32_t acc[2][TF_ACC_BLOCK];
  const int32_t groups = kp >> 2;
  const uint32_t *w = (const uint32_t *)(const void *)wt;
  const uint32_t *x = (const uint32_t *)(const void *)col;
  for (int32_t c0 = 0; c0 < co_n; c0 += TF_ACC_BLOCK) {
    const int32_t n = imin(co_n - c0, TF_ACC_BLOCK);
    const int32_t *bp = bias + c0;
    int32_t *sa = acc[0], *sb = acc[1];
    if (ob) {
      for (int32_t j = n >> 1; j > 0; j--, bp += 2, sa += 2, sb += 2) w = mm_pair(w, x, groups, bp[0], bp[1], sa, sb);
      if (n & 1) w = mm_pair(w, x, groups, bp[0], 0, sa, sb);
    } else {
      for (int32_t j = n >> 1; j > 0; j--, bp += 2, sa += 2) w = mm_pair1(w, x, groups, bp[0], bp[1], sa);
      if (n & 1) w = mm_pair1(w, x, groups, bp[0], 0, sa);
    }
    requant_run(acc[0], n, rq, c0, oa + c0);
    if (ob) requant_run(acc[1], n, rq, c0, ob + c0);
  }
}
#endif


/* Every output pixel is computed on its own (the SIMD path pairs neighbours only for speed),
 * so a range of rows gives the same bytes as the whole call. */
TF_INLINE void conv_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1) {
  const int32_t H = p->in_h, W = p->in_w, C = p->in_c, OW = p->out_w, CO = p->out_c;
#if TF_USE_DSP
  int16_t *col = (int16_t *)scratch;
  const int32_t pixels = y1 * OW;
  /* k_h == 1: a window inside the row whose k_padded bytes stay inside the tensor is one run
   * of whole words (see im2col_q15); anything else takes im2col_q15. */
  const int32_t kp = p->k_padded, last = H * W * C - kp;
  const uint32_t off2 = 0x00010001u * (uint16_t)(-p->in_zp);
  for (int32_t px = y0 * OW; px < pixels; px += 2) {
    const int pair = px + 1 < pixels;
    const int32_t pb = pair ? px + 1 : px;
    for (int32_t slot = 0; slot < 2; slot++) {
      const int32_t q = slot ? pb : px, oy = q / OW, ox = q % OW;
      const int32_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
      const int32_t start = (iy * W + ix) * C;
      if (p->k_h == 1 && iy >= 0 && iy < H && ix >= 0 && ix + p->k_w <= W && start <= last)
        col_words(in + start, kp >> 2, off2, (uint32_t *)(void *)(col + slot * 4));
      else
        im2col_q15(p, in, oy, ox, col, slot);
    }
    matmul_2x2((const int8_t *)p->weights, p->bias, &p->rq, kp, CO, col, out + px * CO, pair ? out + pb * CO : 0);
  }
#else
  (void)scratch;
  const int8_t *wt = (const int8_t *)p->weights;
  const int32_t KH = p->k_h, KW = p->k_w, off = -p->in_zp;
  for (int32_t oy = y0; oy < y1; oy++) {
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

/* Inlined into both: the whole-tensor call costs what it did before row ranges existed. */
void tf_conv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch) { conv_rows(p, in, out, scratch, 0, p->out_h); }
void tf_conv_s8_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1) { conv_rows(p, in, out, scratch, y0, y1); }

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


TF_INLINE void dwconv_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1) {
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
    const uint32_t *wt = (const uint32_t *)p->weights; /* per 4-channel group: T taps × 2 words of int16 pairs */
    const int32_t *bias = p->bias;
    for (int32_t oy = y0; oy < y1; oy++) {
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
        const uint32_t *w = wt;
        /* Sums of a block of channels go to acc, requantized by requant_run. */
        for (int32_t c0 = 0; c0 < C; c0 += TF_ACC_BLOCK) {
          int32_t acc[TF_ACC_BLOCK];
          const int32_t n = imin(C - c0, TF_ACC_BLOCK);
          for (int32_t j = 0; j < n; j += 4) {
            const int32_t g = c0 + j;
            int32_t a0 = bias[g], a1 = bias[g + 1], a2 = bias[g + 2], a3 = bias[g + 3];
#define TF_DW_TAP(t)                                                   \
  do {                                                                 \
    const uint32_t x = tf_read_u32(taps[t] + g);                       \
    const uint32_t xl = tf_sxtb16(x), xh = tf_sxtb16_ror8(x);          \
    const uint32_t wl = w[2 * (t)], wh = w[2 * (t) + 1];               \
    a0 = tf_smlabb(xl, wl, a0);                                        \
    a2 = tf_smlatt(xl, wl, a2);                                        \
    a1 = tf_smlabb(xh, wh, a1);                                        \
    a3 = tf_smlatt(xh, wh, a3);                                        \
  } while (0)
            if (T == 9) { /* 3x3, unrolled: constant offsets into taps and weights */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TF_EMULATE_DSP)
              /* Written out: gcc hoists the nine input loads of the C version and spills. */
              uint32_t t, xl, wl, wh;
#define TF_DW_ASM_TAP(toff, woff)                         \
  "ldr %[t], [%[taps], #" #toff "]\n\t"                    \
  "ldr %[t], [%[t], %[g]]\n\t"                            \
  "ldrd %[wl], %[wh], [%[w], #" #woff "]\n\t"              \
  "sxtb16 %[xl], %[t]\n\t"                                \
  "sxtb16 %[t], %[t], ror #8\n\t"                         \
  "smlabb %[a0], %[xl], %[wl], %[a0]\n\t"                 \
  "smlatt %[a2], %[xl], %[wl], %[a2]\n\t"                 \
  "smlabb %[a1], %[t], %[wh], %[a1]\n\t"                  \
  "smlatt %[a3], %[t], %[wh], %[a3]\n\t"
              __asm__(TF_DW_ASM_TAP(0, 0) TF_DW_ASM_TAP(4, 8) TF_DW_ASM_TAP(8, 16) TF_DW_ASM_TAP(12, 24) TF_DW_ASM_TAP(16, 32)
                      TF_DW_ASM_TAP(20, 40) TF_DW_ASM_TAP(24, 48) TF_DW_ASM_TAP(28, 56) TF_DW_ASM_TAP(32, 64)
                      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [t] "=&r"(t), [xl] "=&r"(xl), [wl] "=&r"(wl), [wh] "=&r"(wh)
                      : [taps] "r"(taps), [g] "r"(g), [w] "r"(w)
                      : "memory");
#undef TF_DW_ASM_TAP
#else
              TF_DW_TAP(0); TF_DW_TAP(1); TF_DW_TAP(2); TF_DW_TAP(3); TF_DW_TAP(4);
              TF_DW_TAP(5); TF_DW_TAP(6); TF_DW_TAP(7); TF_DW_TAP(8);
#endif
            } else {
              for (int32_t t = 0; t < T; t++) TF_DW_TAP(t);
            }
#undef TF_DW_TAP
            w += 2 * T;
            acc[j] = a0; acc[j + 1] = a1; acc[j + 2] = a2; acc[j + 3] = a3;
          }
          requant_run(acc, n, &p->rq, c0, o + c0);
        }
      }
    }
    return;
  }
#endif
  (void)scratch;
  const int8_t *wt = (const int8_t *)p->weights;
  const int32_t off = -p->in_zp;
  for (int32_t oy = y0; oy < y1; oy++) {
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

/* Inlined into both: the whole-tensor call costs what it did before row ranges existed. */
void tf_dwconv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch) { dwconv_rows(p, in, out, scratch, 0, p->out_h); }
void tf_dwconv_s8_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1) { dwconv_rows(p, in, out, scratch, y0, y1); }

/* ------------------------------------------------------------------ dense */

size_t tf_fc_s8_scratch(const tf_fc_s8_t *p) {
  (void)p;
  return 0;
}

void tf_fc_s8(const tf_fc_s8_t *p, const int8_t *in, int8_t *out, void *scratch) {
#if TF_USE_DSP
  /* No im2col column (it would need 4 bytes of scratch per input): the generator folded
   * -in_zp * sum(w) into the bias, so the int8 input is multiplied as it is, a word at a time,
   * the last partial word zero-filled (it meets zero padding weights). Two rows at a time. */
  (void)scratch;
  const int32_t full = p->in_n >> 2, tail = p->in_n & 3;
  const uint32_t *w = (const uint32_t *)p->weights;
  uint32_t last = 0;
  if (tail) memcpy(&last, in + 4 * full, (size_t)tail);
#define TF_FC_STEP(xv)                                                  \
  do {                                                                  \
    const uint32_t xl = tf_sxtb16(xv), xh = tf_sxtb16_ror8(xv);         \
    const uint32_t u0 = w[0], u1 = w[1];                                \
    a0 = tf_smlad(xl, tf_sxtb16(u0), a0);                               \
    a0 = tf_smlad(xh, tf_sxtb16_ror8(u0), a0);                          \
    a1 = tf_smlad(xl, tf_sxtb16(u1), a1);                               \
    a1 = tf_smlad(xh, tf_sxtb16_ror8(u1), a1);                          \
    w += 2;                                                             \
  } while (0)
  for (int32_t c0 = 0; c0 < p->out_n; c0 += TF_ACC_BLOCK) {
    int32_t acc[TF_ACC_BLOCK];
    const int32_t n = imin(p->out_n - c0, TF_ACC_BLOCK);
    for (int32_t j = 0; j < n; j += 2) {
      int32_t a0 = p->bias[c0 + j], a1 = j + 1 < n ? p->bias[c0 + j + 1] : 0;
      const int8_t *x = in;
      for (int32_t g = full; g > 0; g--, x += 4) TF_FC_STEP(tf_read_u32(x));
      if (tail) TF_FC_STEP(last);
      acc[j] = a0;
      acc[j + 1] = a1;
    }
    requant_run(acc, n, &p->rq, c0, out + c0);
  }
#undef TF_FC_STEP
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
#if TF_USE_DSP
  if ((C & 3) == 0) {
    /* Four channels per word: running max from -128 over the valid taps, then the clamp. */
    const uint32_t lo4 = 0x01010101u * (uint8_t)p->act_min, hi4 = 0x01010101u * (uint8_t)p->act_max;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      const int32_t ky0 = imax(0, -iy0), ky1 = imin(p->k_h, H - iy0);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        const int32_t kx0 = imax(0, -ix0), kx1 = imin(p->k_w, W - ix0);
        int8_t *o = out + (oy * p->out_w + ox) * C;
        for (int32_t c = 0; c < C; c += 4) {
          uint32_t m = 0x80808080u;
          for (int32_t ky = ky0; ky < ky1; ky++) {
            const int8_t *x = in + ((iy0 + ky) * W + ix0) * C + c;
            for (int32_t kx = kx0; kx < kx1; kx++) m = tf_smax8(m, tf_read_u32(x + kx * C));
          }
          tf_write_u32(o + c, tf_smin8(tf_smax8(m, lo4), hi4));
        }
      }
    }
    return;
  }
#endif
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
