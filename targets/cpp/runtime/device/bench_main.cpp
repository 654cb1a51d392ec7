/* Cortex-M benchmark (not shipped): one deterministic input through the DSP block (if any) and
 * the network; markers around each part for the instruction-counting plugin; stack used by each
 * part measured by painting below the current stack pointer. Prints the int8 outputs.
 * With a DSP block the whole library call is measured: run_classifier() on the raw window
 * (built with TF_BENCH_MARKERS, so it calls tf_bench_mark() around the DSP and the network). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "model/tf_model.h"
#include "bench_input.h" /* bench_input[]: TF_MODEL_INPUT_COUNT int8 (or BENCH_RAW_COUNT floats with DSP) */
#if BENCH_WITH_DSP
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#endif

extern "C" {
__attribute__((noinline)) void bench_nn_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_nn_end(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_dsp_end(void) { __asm volatile("" ::: "memory"); }
#if BENCH_WITH_DSP
__attribute__((noinline)) void bench_run_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_run_end(void) { __asm volatile("" ::: "memory"); }
#endif
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
/* The benchmark's own state (kept in the baseline too, so it is not counted as the library's).
 * mode 0: the measured run (instruction markers only); 1: stack per part; 2: nothing. */
static struct { int mode; uint32_t outer_sp, dsp_stack, nn_stack; } bench;
#define bench_mode bench.mode
#define bench_outer_sp bench.outer_sp
#define bench_dsp_stack bench.dsp_stack
#define bench_nn_stack bench.nn_stack
extern "C" void tf_bench_mark(int point) {
  if (bench_mode == 0) {
    if (point == 0) bench_dsp_begin();
    else if (point == 1) bench_dsp_end();
    else if (point == 2) bench_nn_begin();
    else bench_nn_end();
  } else if (bench_mode == 1) {
    /* Deepest point so far (from the caller's stack pointer), then paint again for the next part. */
    if (point == 1) {
      bench_dsp_stack = used_below(bench_outer_sp);
      paint_below_sp();
    } else if (point == 3) bench_nn_stack = used_below(bench_outer_sp);
  }
}
#endif

int main(void) {
#if !BENCH_BASELINE
#if BENCH_WITH_DSP
  signal_t signal;
  signal_from_buffer(bench_raw, BENCH_RAW_COUNT, &signal);
  ei_impulse_result_t result;
  uint32_t sp = paint_below_sp();
  bench_run_begin();
  int rc = (int)run_classifier(&signal, &result, false);
  bench_run_end();
  printf("run_stack_bytes=%lu rc=%d\n", (unsigned long)used_below(sp), rc);
  printf("output:");
  for (int i = 0; i < TF_MODEL_OUTPUT_COUNT; i++) printf(" %d", tf_model_output()[i]);
  printf("\n");
  /* Again, for the stack of each part (deterministic: same results). */
  bench_mode = 1;
  bench_outer_sp = paint_below_sp();
  rc = (int)run_classifier(&signal, &result, false);
  printf("dsp_stack_bytes=%lu nn_stack_bytes=%lu rc=%d\n", (unsigned long)bench_dsp_stack, (unsigned long)bench_nn_stack, rc);
  /* The model input the DSP produced, for the comparison with the reference interpreter. */
  bench_mode = 2;
  rc = tf_run_dsp_to_input(&signal);
  printf("features:");
  for (int i = 0; i < TF_MODEL_INPUT_COUNT; i++) printf(" %d", tf_model_input()[i]);
  printf("\n");
#if BENCH_TENSOR_HASHES
  tf_model_invoke_observed(print_hash);
#endif
#else
  bench_dsp_begin(); /* keeps the markers linked */
  bench_dsp_end();
  memcpy(tf_model_input(), bench_input, TF_MODEL_INPUT_COUNT);
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
#endif
#else
  /* Baseline: keep the benchmark input (it is not part of the library) and nothing else. */
#if BENCH_WITH_DSP
  const void *volatile keep = bench_raw;
  void *volatile keep_state = &bench;
  (void)keep_state;
#else
  const void *volatile keep = bench_input;
#endif
  (void)keep;
#endif
  return 0;
}
