/* tinyforge SDK: TFLite/gemmlowp integer arithmetic (double rounding), bit for bit the same as
 * the TypeScript reference interpreter (blocks/src/learn/ir/fixedpoint.ts). C99 and C++11. */
#ifndef TF_FIXEDPOINT_H
#define TF_FIXEDPOINT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TF_INLINE static inline __attribute__((always_inline))
#else
#define TF_INLINE static inline
#endif

/* Wrapping int32 arithmetic without signed-overflow undefined behaviour. */
TF_INLINE int32_t tf_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
TF_INLINE int32_t tf_wrap_shl(int32_t a, int s) { return (int32_t)((uint32_t)a << s); }

/* gemmlowp SaturatingRoundingDoublingHighMul. (ab + nudge) / 2^31 with a sign-dependent nudge
 * and truncating division equals floor((ab + 2^30) / 2^31) for every sign, i.e. one add and an
 * arithmetic shift. */
TF_INLINE int32_t tf_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

/* The same without the saturation check: b is a requantization multiplier (never INT32_MIN). */
TF_INLINE int32_t tf_srdhm_m(int32_t a, int32_t m) {
  return (int32_t)(((int64_t)a * m + ((int64_t)1 << 30)) >> 31);
}

/* gemmlowp RoundingDivideByPOT, 0 <= e <= 31. */
TF_INLINE int32_t tf_rdbpot(int32_t x, int e) {
  const int32_t mask = (int32_t)((1u << e) - 1u);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

/* Any exponent, as the reference (JavaScript) computes it: shifts count modulo 32. */
TF_INLINE int32_t tf_rdbpot_any(int32_t x, int e) {
  if (e == 0) return x;
  const int32_t mask = e >= 31 ? 0x7fffffff : (int32_t)((1u << e) - 1u);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return tf_wrap_add(x >> (e & 31), rem > thr ? 1 : 0);
}

TF_INLINE int32_t tf_sat_mul_pot(int32_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return tf_rdbpot_any(x, -e);
  {
    const int32_t thr = (int32_t)((1u << (31 - e)) - 1u);
    if (x > thr) return INT32_MAX;
    if (x < -thr) return INT32_MIN;
    return tf_wrap_shl(x, e);
  }
}

/* TFLite MultiplyByQuantizedMultiplier: x * m * 2^shift, shift in [-31, 31]. */
TF_INLINE int32_t tf_mbqm(int32_t x, int32_t m, int shift) {
  /* Branch-free: one of the two shifts is 0 (a 0 right shift leaves the value unchanged). */
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return tf_rdbpot(tf_srdhm_m(tf_wrap_shl(x, left), m), right);
}

/* tf_mbqm for a right shift r = -shift >= 2 in one rounding step, bit for bit the same:
 * RoundingDivideByPOT(floor((x m + 2^30) / 2^31), r) = floor((x m + 2^30 - [x < 0] 2^31 + 2^(30+r)) / 2^(31+r))
 * (round half away from zero; the [x < 0] term may use x's sign because the quotient is 0
 * whenever it and the sign of x m + 2^30 disagree). With round = 2^(r-2) and rsh = r - 1 the
 * high word of the 64-bit sum, shifted right by rsh, is the result. */
TF_INLINE int32_t tf_mbqm_fast(int32_t x, int32_t m, int32_t round, int rsh) {
  const int64_t lo = (int64_t)(((uint32_t)x & 0x80000000u) | 0x40000000u);
  const int64_t hi = (int64_t)round + (x < 0 ? -1 : 0);
  const int64_t y = (int64_t)x * m + hi * 4294967296LL + lo;
  return (int32_t)(y >> 32) >> rsh;
}

TF_INLINE int32_t tf_mbqm_gt_one(int32_t x, int32_t m, int left) {
  return tf_srdhm(tf_wrap_shl(x, left), m);
}

TF_INLINE int32_t tf_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Requantize an int32 accumulator to int8. */
TF_INLINE int8_t tf_requant(int32_t acc, int32_t m, int shift, int32_t zp, int32_t lo, int32_t hi) {
  return (int8_t)tf_clamp(tf_mbqm(acc, m, shift) + zp, lo, hi);
}

/* TFLite QUANTIZE of one float: float32 division, round half away from zero, saturate. */
int8_t tf_quantize_f32(float x, float scale, int32_t zp);
/* The same, inlined into loops over many values. */
TF_INLINE int8_t tf_quantize_f32_inline(float x, float scale, int32_t zp) {
  const float q = x / scale;
  if (q != q) return 0; /* NaN: the reference stores 0 */
  if (q > 1024.0f) return 127;
  if (q < -1024.0f) return -128;
  int32_t i = (int32_t)q; /* truncates toward zero */
  const float frac = q - (float)i;
  if (frac >= 0.5f) i++;
  else if (frac <= -0.5f) i--;
  return (int8_t)tf_clamp(i + zp, -128, 127);
}

/* gemmlowp exp_on_negative_values (Q5.26 in, Q0.31 out), 1/(1+x), GetReciprocal. */
int32_t tf_exp_on_negative_values(int32_t a, int integer_bits);
int32_t tf_one_over_one_plus_x_for_x_in_0_1(int32_t a);
int32_t tf_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit);

#ifdef __cplusplus
}
#endif
#endif
