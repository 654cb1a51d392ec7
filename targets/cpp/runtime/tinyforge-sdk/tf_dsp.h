/* tinyforge SDK: the Cortex-M DSP-extension instructions the fast int8 kernels use.
 * TF_USE_DSP is 1 when the compiler targets a core with the DSP extension (Cortex-M4, M7, M33
 * with DSP) unless TF_DISABLE_DSP is defined; TF_EMULATE_DSP selects exact C versions of the
 * same instructions so the fast kernels can be tested on any host. */
#ifndef TF_DSP_H
#define TF_DSP_H

#include <stdint.h>
#include <string.h>
#include "tf_fixedpoint.h"

#if !defined(TF_DISABLE_DSP) && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP == 1
#define TF_USE_DSP 1
TF_INLINE uint32_t tf_sxtb16(uint32_t x) { uint32_t r; __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x)); return r; }
TF_INLINE uint32_t tf_sxtb16_ror8(uint32_t x) { uint32_t r; __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x)); return r; }
TF_INLINE int32_t tf_smlad(uint32_t a, uint32_t b, int32_t acc) { int32_t r; __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc)); return r; }
TF_INLINE int32_t tf_smlabb(uint32_t a, uint32_t b, int32_t acc) { int32_t r; __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc)); return r; }
TF_INLINE int32_t tf_smlatt(uint32_t a, uint32_t b, int32_t acc) { int32_t r; __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc)); return r; }
TF_INLINE uint32_t tf_sadd16(uint32_t a, uint32_t b) { uint32_t r; __asm__("sadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
TF_INLINE uint32_t tf_pkhbt(uint32_t lo, uint32_t hi) { uint32_t r; __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi)); return r; }
/* Per-byte signed max / min of four int8 lanes: SSUB8 sets the GE flags, SEL picks by them. */
TF_INLINE uint32_t tf_smax8(uint32_t a, uint32_t b) { uint32_t r; __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc"); return r; }
TF_INLINE uint32_t tf_smin8(uint32_t a, uint32_t b) { uint32_t r; __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc"); return r; }
#elif defined(TF_EMULATE_DSP)
#define TF_USE_DSP 1
TF_INLINE int32_t tf_lo16(uint32_t x) { return (int16_t)(x & 0xffffu); }
TF_INLINE int32_t tf_hi16(uint32_t x) { return (int16_t)(x >> 16); }
TF_INLINE uint32_t tf_pack16(int32_t lo, int32_t hi) { return ((uint32_t)(uint16_t)lo) | ((uint32_t)(uint16_t)hi << 16); }
TF_INLINE uint32_t tf_sxtb16(uint32_t x) { return tf_pack16((int8_t)(x & 0xff), (int8_t)((x >> 16) & 0xff)); }
TF_INLINE uint32_t tf_sxtb16_ror8(uint32_t x) { return tf_sxtb16((x >> 8) | (x << 24)); }
TF_INLINE int32_t tf_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return tf_wrap_add(acc, tf_wrap_add(tf_lo16(a) * tf_lo16(b), tf_hi16(a) * tf_hi16(b)));
}
TF_INLINE int32_t tf_smlabb(uint32_t a, uint32_t b, int32_t acc) { return tf_wrap_add(acc, tf_lo16(a) * tf_lo16(b)); }
TF_INLINE int32_t tf_smlatt(uint32_t a, uint32_t b, int32_t acc) { return tf_wrap_add(acc, tf_hi16(a) * tf_hi16(b)); }
TF_INLINE uint32_t tf_sadd16(uint32_t a, uint32_t b) { return tf_pack16(tf_lo16(a) + tf_lo16(b), tf_hi16(a) + tf_hi16(b)); }
TF_INLINE uint32_t tf_pkhbt(uint32_t lo, uint32_t hi) { return (lo & 0xffffu) | (hi << 16); }
TF_INLINE uint32_t tf_smax8(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i += 8) { const int8_t x = (int8_t)(a >> i), y = (int8_t)(b >> i); r |= (uint32_t)(uint8_t)(x >= y ? x : y) << i; }
  return r;
}
TF_INLINE uint32_t tf_smin8(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i += 8) { const int8_t x = (int8_t)(a >> i), y = (int8_t)(b >> i); r |= (uint32_t)(uint8_t)(x >= y ? y : x) << i; }
  return r;
}
#else
#define TF_USE_DSP 0
#endif

/* Word loads that may be unaligned (compiles to one LDR on cores that allow it). */
TF_INLINE uint32_t tf_read_u32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
TF_INLINE void tf_write_u32(void *p, uint32_t v) { memcpy(p, &v, 4); }

#endif
