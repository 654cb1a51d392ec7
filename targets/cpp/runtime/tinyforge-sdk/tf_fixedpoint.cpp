/* tinyforge SDK: the out-of-line fixed-point helpers (softmax, input quantization). */
#include "tf_fixedpoint.h"

extern "C" {

int8_t tf_quantize_f32(float x, float scale, int32_t zp) { return tf_quantize_f32_inline(x, scale, zp); }

static int32_t exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668;
  const int32_t constant_1_over_3 = 715827883;
  const int32_t x = tf_wrap_add(a, 1 << 28);
  const int32_t x2 = tf_srdhm(x, x);
  const int32_t x3 = tf_srdhm(x2, x);
  const int32_t x4 = tf_srdhm(x2, x2);
  const int32_t x4_over_4 = tf_rdbpot(x4, 2);
  const int32_t poly = tf_rdbpot(tf_wrap_add(tf_srdhm(tf_wrap_add(x4_over_4, x3), constant_1_over_3), x2), 1);
  return tf_wrap_add(constant_term, tf_srdhm(constant_term, tf_wrap_add(x, poly)));
}

int32_t tf_exp_on_negative_values(int32_t a, int integer_bits) {
  static const int32_t barrel[7][2] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                                       {2, 39332535},    {3, 720401},      {4, 242}};
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = (int32_t)((uint32_t)(a & mask) - (uint32_t)one_quarter);
  int32_t result = exp_quarter(tf_sat_mul_pot(a_mod_quarter_minus_one_quarter, integer_bits));
  const int32_t remainder = (int32_t)((uint32_t)a_mod_quarter_minus_one_quarter - (uint32_t)a);
  for (int k = 0; k < 7; k++) {
    const int exponent = barrel[k][0];
    if (integer_bits > exponent) {
      const int shift_amount = fractional_bits + exponent;
      if ((remainder & (int32_t)(1u << shift_amount)) != 0) result = tf_srdhm(result, barrel[k][1]);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t)(1u << (36 - integer_bits));
    if (a < clamp) result = 0;
  }
  return a == 0 ? INT32_MAX : result;
}

int32_t tf_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810;
  const int32_t c_neg32_over_17 = -1010580540;
  int32_t x = tf_wrap_add(c48_over_17, tf_srdhm(half_denominator, c_neg32_over_17));
  const int32_t one_q2 = 1 << 29;
  for (int i = 0; i < 3; i++) {
    const int32_t hdx = tf_srdhm(half_denominator, x);
    const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)hdx);
    x = tf_wrap_add(x, tf_sat_mul_pot(tf_srdhm(x, one_minus), 2));
  }
  return tf_sat_mul_pot(x, 1);
}

int32_t tf_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  const uint32_t ux = (uint32_t)x;
  int headroom_plus_one = 0;
  if (ux == 0) headroom_plus_one = 32;
  else {
    uint32_t v = ux;
    while (!(v & 0x80000000u)) { v <<= 1; headroom_plus_one++; }
  }
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const uint32_t shifted = headroom_plus_one >= 32 ? 0u : ux << headroom_plus_one;
  return tf_one_over_one_plus_x_for_x_in_0_1((int32_t)(shifted - 0x80000000u));
}

} /* extern "C" */
