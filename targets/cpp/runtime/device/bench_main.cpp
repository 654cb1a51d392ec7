/* Cortex-M benchmark (not shipped): one deterministic input through the DSP block (if any) and
 * the network; markers around each part for the instruction-counting plugin; stack used by each
 * part measured by painting below the current stack pointer. Prints the int8 outputs. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "model/tf_model.h"
#include "bench_input.h" /* bench_input[]: TF_MODEL_INPUT_COUNT int8 (or BENCH_RAW_COUNT floats with DSP) */
#if BENCH_WITH_DSP
#include "model/tf_dsp_block.h"
#endif

extern "C" {
__attribute__((noinline)) void bench_nn_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_nn_end(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_end(void) { __asm volatile("" ::: "memory"); }
extern uint32_t __StackLimit;
}

#if BENCH_TENSOR_HASHES
/* FNV-1a of every op output, printed after the measured run: the tests compare each layer with
 * the reference interpreter on the device, not only the (often saturated) final output. */
static void print_hash(int32_t id, const void *data, size_t bytes) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < bytes; i++) h = (h ^ ((const uint8_t *)data)[i]) * 16777619u;
  printf("tensor %ld %lu\n", (long)id, (unsigned long)h);
}
#endif

#define PAINT 0xA5A5A5A5u
static uint32_t paint_below_sp(void) {
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *d = &__StackLimit; d < (uint32_t *)(sp - 16);) *d++ = PAINT;
  return sp;
}
static uint32_t used_below(uint32_t sp) {
  uint32_t *d = &__StackLimit;
  while (d < (uint32_t *)sp && *d == PAINT) d++;
  return sp - (uint32_t)d;
}

#if BENCH_WITH_DSP
static float features[TF_MODEL_INPUT_COUNT];
#endif

int main(void) {
#if !BENCH_BASELINE
#if BENCH_WITH_DSP
  uint32_t sp = paint_below_sp();
  bench_dsp_begin();
  int rc = tf_dsp_block_run_buffer(bench_raw, features);
  bench_dsp_end();
  printf("dsp_stack_bytes=%lu rc=%d\n", (unsigned long)used_below(sp), rc);
  /* Features → int8 input, as run_classifier does. */
  for (int i = 0; i < TF_MODEL_INPUT_COUNT; i++) {
    float q = features[i] / TF_MODEL_INPUT_SCALE;
    int32_t v = (int32_t)q;
    float f = q - (float)v;
    if (f >= 0.5f) v++; else if (f <= -0.5f) v--;
    v += TF_MODEL_INPUT_ZERO_POINT;
    tf_model_input()[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
  printf("features:");
  for (int i = 0; i < TF_MODEL_INPUT_COUNT; i++) printf(" %d", tf_model_input()[i]);
  printf("\n");
#else
  bench_dsp_begin(); /* keeps the markers linked */
  bench_dsp_end();
  memcpy(tf_model_input(), bench_input, TF_MODEL_INPUT_COUNT);
#endif
#if BENCH_TENSOR_HASHES
  static int8_t input_copy[TF_MODEL_INPUT_COUNT]; /* the arena reuses the input's bytes */
  memcpy(input_copy, tf_model_input(), TF_MODEL_INPUT_COUNT);
#endif
  uint32_t sp2 = paint_below_sp();
  bench_nn_begin();
  tf_model_invoke();
  bench_nn_end();
  printf("nn_stack_bytes=%lu\n", (unsigned long)used_below(sp2));
  printf("output:");
  for (int i = 0; i < TF_MODEL_OUTPUT_COUNT; i++) printf(" %d", tf_model_output()[i]);
  printf("\n");
#if BENCH_TENSOR_HASHES
  memcpy(tf_model_input(), input_copy, TF_MODEL_INPUT_COUNT);
  tf_model_invoke_observed(print_hash);
#endif
#else
  /* Baseline: keep the benchmark input (it is not part of the library) and nothing else. */
#if BENCH_WITH_DSP
  const void *volatile keep = bench_raw;
#else
  const void *volatile keep = bench_input;
#endif
  (void)keep;
#endif
  return 0;
}
