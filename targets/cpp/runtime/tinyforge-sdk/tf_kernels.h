/* tinyforge SDK: int8 and float32 kernels called directly by the generated model (no
 * interpreter). Tensors are NHWC, batch 1. The int8 kernels match the TypeScript reference
 * interpreter bit for bit; the float kernels follow the float reference within rounding. */
#ifndef TF_KERNELS_H
#define TF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Requantization of one op: per-channel Q31 multiplier and shift, output zero point, clamp.
 * When every channel shifts right by 2 or more the generator stores the one-step form instead
 * (tf_mbqm_fast): `fast` holds {multiplier, 2^(r-2)} per channel and `fast_shift` r - 1
 * (r = -shift); multiplier and shift are then null. */
typedef struct {
  const int32_t *multiplier;
  const int8_t *shift;
  int32_t out_zp;
  int32_t act_min, act_max;
  const int32_t *fast;
  const uint8_t *fast_shift;
} tf_requant_t;

typedef struct {
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t depth_mult; /* depthwise only */
  int32_t in_zp;
  /* Portable layout: conv [out_c][k_h][k_w][in_c], depthwise [k_h][k_w][out_c].
   * DSP layout (conv): rows of k_padded, zero padded; each 4-group stored as (w0, w2, w1, w3)
   * when in_c % 4 != 0, k_h > 1 and k_w * in_c % 4 != 0, natural otherwise;
   * DSP layout (depthwise): per 4-channel group, per tap, int16 pairs (c0, c2), (c1, c3). */
  const void *weights;
  const int32_t *bias; /* depthwise, DSP layout: bias - in_zp * sum(w) */
  tf_requant_t rq;
  int32_t k_padded; /* conv, DSP layout: k_h*k_w*in_c rounded up to a multiple of 4 */
} tf_conv_s8_t;

typedef struct {
  int32_t in_n, out_n;
  int32_t in_zp;
  const void *weights; /* [out_n][in_n]; DSP layout like conv with k_padded, natural 4-groups */
  const int32_t *bias; /* DSP build: bias - in_zp * sum(w) (the kernel multiplies raw int8 inputs) */
  tf_requant_t rq;
  int32_t k_padded;
} tf_fc_s8_t;

typedef struct {
  int32_t in_h, in_w, c;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t act_min, act_max;
} tf_pool_t;

typedef struct {
  int32_t rows, depth;
  int32_t input_multiplier, input_left_shift, diff_min;
} tf_softmax_s8_t;

/* Scratch bytes each kernel needs in the arena (0 when none). */
size_t tf_conv_s8_scratch(const tf_conv_s8_t *p);
size_t tf_dwconv_s8_scratch(const tf_conv_s8_t *p);
size_t tf_fc_s8_scratch(const tf_fc_s8_t *p);

void tf_conv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch);
/* Output rows [y0, y1) only (the rest of out untouched): the generator splits a convolution
 * into row ranges to put the scratch in input or output bytes that are dead meanwhile (also
 * tf_dwconv_s8_rows). Every pixel is computed on its own: the bytes equal the whole call's. */
void tf_conv_s8_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1);
void tf_dwconv_s8(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch);
void tf_dwconv_s8_rows(const tf_conv_s8_t *p, const int8_t *in, int8_t *out, void *scratch, int32_t y0, int32_t y1);
void tf_fc_s8(const tf_fc_s8_t *p, const int8_t *in, int8_t *out, void *scratch);
void tf_maxpool_s8(const tf_pool_t *p, const int8_t *in, int8_t *out);
void tf_avgpool_s8(const tf_pool_t *p, const int8_t *in, int8_t *out);
void tf_softmax_s8(const tf_softmax_s8_t *p, const int8_t *in, int8_t *out);
/* RELU / RELU6 that could not be fused: requantize each element (single channel). */
void tf_requant_s8(int32_t n, int32_t in_zp, const tf_requant_t *rq, const int8_t *in, int8_t *out);
void tf_lut_s8(int32_t n, const int8_t *lut, const int8_t *in, int8_t *out);

/* ---- float32 path ---- */
typedef struct {
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t depth_mult;
  const float *weights;
  const float *bias;
  float act_min, act_max;
} tf_conv_f32_t;

typedef struct {
  int32_t in_n, out_n;
  const float *weights;
  const float *bias;
  float act_min, act_max;
} tf_fc_f32_t;

void tf_conv_f32(const tf_conv_f32_t *p, const float *in, float *out);
void tf_dwconv_f32(const tf_conv_f32_t *p, const float *in, float *out);
void tf_fc_f32(const tf_fc_f32_t *p, const float *in, float *out);
void tf_maxpool_f32(const tf_pool_t *p, const float *in, float *out);
void tf_avgpool_f32(const tf_pool_t *p, const float *in, float *out);
void tf_softmax_f32(int32_t rows, int32_t depth, float beta, const float *in, float *out);
void tf_clamp_f32(int32_t n, float lo, float hi, const float *in, float *out);
void tf_tanh_f32(int32_t n, const float *in, float *out);
void tf_logistic_f32(int32_t n, const float *in, float *out);

#ifdef __cplusplus
}
#endif
#endif
