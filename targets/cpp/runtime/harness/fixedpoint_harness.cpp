/* Test harness (not shipped): evaluates the fixed-point helpers on records from stdin.
 * Each record: uint8 fn, int32 a, int32 b, int32 c; output int32 (two for reciprocal). */
#include <stdio.h>
#include <string.h>
#include "tinyforge-sdk/tf_fixedpoint.h"

int main(void) {
  unsigned char rec[13];
  while (fread(rec, 1, 13, stdin) == 13) {
    int32_t a, b, c, r = 0, r2 = 0;
    memcpy(&a, rec + 1, 4);
    memcpy(&b, rec + 5, 4);
    memcpy(&c, rec + 9, 4);
    switch (rec[0]) {
      case 0: r = tf_srdhm(a, b); break;
      case 1: r = tf_rdbpot_any(a, b); break;
      case 2: r = tf_mbqm(a, b, c); break;
      case 3: r = tf_sat_mul_pot(a, b); break;
      case 4: r = tf_exp_on_negative_values(a, b); break;
      case 5: r = tf_one_over_one_plus_x_for_x_in_0_1(a); break;
      case 6: { int nb = 0; r = tf_get_reciprocal(a, b, &nb); r2 = nb; break; }
      case 7: { float f; memcpy(&f, &a, 4); float s; memcpy(&s, &b, 4); r = tf_quantize_f32(f, s, c); break; }
      case 8: r = tf_rdbpot(a, b); break;
      case 9: r = c <= -2 ? tf_mbqm_fast(a, b, 1 << (-c - 2), -c - 1) : tf_mbqm(a, b, c); break;
    }
    fwrite(&r, 4, 1, stdout);
    fwrite(&r2, 4, 1, stdout);
  }
  return 0;
}
