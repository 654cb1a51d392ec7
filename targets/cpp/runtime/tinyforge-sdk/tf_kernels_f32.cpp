/* tinyforge SDK: float32 kernels (the optional float path). Same loop structure as the float
 * reference interpreter; results agree within float rounding, not bit for bit. */
#include <math.h>
#include "tf_kernels.h"

extern "C" {

static inline int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }
static inline float fclampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

void tf_conv_f32(const tf_conv_f32_t *p, const float *in, float *out) {
  const int32_t H = p->in_h, W = p->in_w, C = p->in_c, OW = p->out_w, CO = p->out_c, KH = p->k_h, KW = p->k_w;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(KH, H - iy0);
    for (int32_t ox = 0; ox < OW; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(KW, W - ix0);
      float *o = out + (oy * OW + ox) * CO;
      for (int32_t co = 0; co < CO; co++) {
        float s = p->bias[co];
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++) {
            const float *x = in + ((iy0 + ky) * W + ix0 + kx) * C;
            const float *w = p->weights + ((co * KH + ky) * KW + kx) * C;
            for (int32_t c = 0; c < C; c++) s += x[c] * w[c];
          }
        o[co] = fclampf(s, p->act_min, p->act_max);
      }
    }
  }
}

void tf_dwconv_f32(const tf_conv_f32_t *p, const float *in, float *out) {
  const int32_t H = p->in_h, W = p->in_w, C = p->in_c, OW = p->out_w, CO = p->out_c, KH = p->k_h, KW = p->k_w;
  const int32_t M = p->depth_mult;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(KH, H - iy0);
    for (int32_t ox = 0; ox < OW; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(KW, W - ix0);
      float *o = out + (oy * OW + ox) * CO;
      for (int32_t co = 0; co < CO; co++) {
        float s = p->bias[co];
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++)
            s += in[((iy0 + ky) * W + ix0 + kx) * C + co / M] * p->weights[(ky * KW + kx) * CO + co];
        o[co] = fclampf(s, p->act_min, p->act_max);
      }
    }
  }
}

void tf_fc_f32(const tf_fc_f32_t *p, const float *in, float *out) {
  for (int32_t o = 0; o < p->out_n; o++) {
    const float *w = p->weights + o * p->in_n;
    float s = p->bias[o];
    for (int32_t n = 0; n < p->in_n; n++) s += in[n] * w[n];
    out[o] = fclampf(s, p->act_min, p->act_max);
  }
}

static void pool_f32(const tf_pool_t *p, const float *in, float *out, int is_max) {
  const int32_t C = p->c, W = p->in_w, H = p->in_h;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = imax(0, -iy0), ky1 = imin(p->k_h, H - iy0);
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t kx0 = imax(0, -ix0), kx1 = imin(p->k_w, W - ix0);
      const int32_t n = imax(0, ky1 - ky0) * imax(0, kx1 - kx0);
      float *o = out + (oy * p->out_w + ox) * C;
      for (int32_t c = 0; c < C; c++) {
        float acc = is_max ? -INFINITY : 0.0f;
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++) {
            const float v = in[((iy0 + ky) * W + ix0 + kx) * C + c];
            if (is_max) acc = v > acc ? v : acc;
            else acc += v;
          }
        o[c] = is_max ? acc : acc / (float)n;
      }
    }
  }
}

void tf_maxpool_f32(const tf_pool_t *p, const float *in, float *out) { pool_f32(p, in, out, 1); }
void tf_avgpool_f32(const tf_pool_t *p, const float *in, float *out) { pool_f32(p, in, out, 0); }

void tf_softmax_f32(int32_t rows, int32_t depth, float beta, const float *in, float *out) {
  for (int32_t r = 0; r < rows; r++) {
    const float *x = in + r * depth;
    float *y = out + r * depth;
    float mx = x[0];
    for (int32_t d = 1; d < depth; d++) mx = x[d] > mx ? x[d] : mx;
    float s = 0.0f;
    for (int32_t d = 0; d < depth; d++) { y[d] = expf(beta * (x[d] - mx)); s += y[d]; }
    for (int32_t d = 0; d < depth; d++) y[d] /= s;
  }
}

void tf_clamp_f32(int32_t n, float lo, float hi, const float *in, float *out) {
  for (int32_t i = 0; i < n; i++) out[i] = fclampf(in[i], lo, hi);
}
void tf_tanh_f32(int32_t n, const float *in, float *out) {
  for (int32_t i = 0; i < n; i++) out[i] = tanhf(in[i]);
}
void tf_logistic_f32(int32_t n, const float *in, float *out) {
  for (int32_t i = 0; i < n; i++) out[i] = 1.0f / (1.0f + expf(-in[i]));
}

} /* extern "C" */
