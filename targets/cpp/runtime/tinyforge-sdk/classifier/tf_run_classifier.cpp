/* tinyforge SDK: run_classifier() over the generated model. */
#include "tf_run_classifier.h"
#include "tf_run_classifier_c.h"
#include "model/tf_model.h"
#include "../tf_fixedpoint.h"
#if EI_CLASSIFIER_HAS_DSP
#include "model/tf_dsp_block.h"
#endif
#if EI_CLASSIFIER_HAS_ANOMALY
#include "model/tf_anomaly.h"
#endif
#if !defined(TF_NO_PRINTF)
#include <stdio.h>
#endif

#ifndef TF_PORTING_TIMER
#if defined(__unix__) || defined(__APPLE__)
#define TF_PORTING_TIMER 2
#else
#define TF_PORTING_TIMER 1
#endif
#endif
#if TF_PORTING_TIMER == 2
#include <time.h>
#endif

static const char *const tf_labels[EI_CLASSIFIER_LABEL_COUNT] = EI_CLASSIFIER_LABELS;

#if TF_PORTING_TIMER == 2
extern "C" int64_t ei_read_timer_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
#elif TF_PORTING_TIMER == 1
extern "C" int64_t ei_read_timer_us(void) { return 0; }
#endif

static const float *tf_signal_buffer = 0;
static int tf_buffer_get_data(size_t offset, size_t length, float *out) {
  for (size_t i = 0; i < length; i++) out[i] = tf_signal_buffer[offset + i];
  return 0;
}

extern "C" const float *tf_signal_buffer_of(const signal_t *signal) {
  return signal && signal->get_data == tf_buffer_get_data ? tf_signal_buffer : 0;
}

extern "C" int signal_from_buffer(const float *data, size_t data_size, signal_t *signal) {
  tf_signal_buffer = data;
  signal->get_data = tf_buffer_get_data;
  signal->total_length = data_size;
  return 0;
}

#if !EI_CLASSIFIER_HAS_DSP
/* Features → model input, a few values at a time (no full-size float copy). */
static int fill_input(signal_t *signal) {
  float chunk[16];
  for (size_t at = 0; at < (size_t)TF_MODEL_INPUT_COUNT; at += 16) {
    const size_t n = (size_t)TF_MODEL_INPUT_COUNT - at < 16 ? (size_t)TF_MODEL_INPUT_COUNT - at : 16;
    if (signal->get_data(at, n, chunk) != 0) return -1;
#if TF_MODEL_INT8
    int8_t *in = tf_model_input();
    for (size_t i = 0; i < n; i++) in[at + i] = tf_quantize_f32(chunk[i], TF_MODEL_INPUT_SCALE, TF_MODEL_INPUT_ZERO_POINT);
#else
    float *in = tf_model_input();
    for (size_t i = 0; i < n; i++) in[at + i] = chunk[i];
#endif
  }
  return 0;
}
#endif

#if defined(TF_BENCH_MARKERS)
/* Benchmark builds only: instruction-count and stack markers around each part of the run. */
extern "C" void tf_bench_mark(int point);
#define TF_MARK(point) tf_bench_mark(point)
#else
#define TF_MARK(point) ((void)0)
#endif

#if EI_CLASSIFIER_HAS_ANOMALY
/* Scored on the float features before they become the model's input (in place, with a DSP). */
static float tf_anomaly_value;
static int64_t tf_anomaly_time_us;
static void score_anomaly(const float *features) {
  const int64_t t = ei_read_timer_us();
  tf_anomaly_value = tf_anomaly_score(features);
  tf_anomaly_time_us = ei_read_timer_us() - t;
}
#endif

#if EI_CLASSIFIER_HAS_DSP
/* The DSP writes its float features into the arena, on the input tensor (see tf_model.h), and
 * they become the input in place: no feature buffer of its own. */
static int run_dsp_to_input(signal_t *signal) {
  float *features = tf_model_dsp_features();
  TF_MARK(0);
  const int rc = tf_dsp_block_run(signal, features);
  TF_MARK(1);
  if (rc != 0) return -1;
#if EI_CLASSIFIER_HAS_ANOMALY
  score_anomaly(features);
#endif
#if TF_MODEL_INT8
  /* Ascending: int8 byte i is written after float i was read and below float i + 1. */
  int8_t *in = tf_model_input();
  for (size_t i = 0; i < (size_t)TF_MODEL_INPUT_COUNT; i++) in[i] = tf_quantize_f32_inline(features[i], TF_MODEL_INPUT_SCALE, TF_MODEL_INPUT_ZERO_POINT);
#else
  (void)features; /* the features are the float input already */
#endif
  return 0;
}

extern "C" int tf_run_dsp_to_input(signal_t *signal) { return run_dsp_to_input(signal); }
#endif

extern "C" EI_IMPULSE_ERROR run_classifier(signal_t *signal, ei_impulse_result_t *result, bool debug) {
  if (!signal || !result || !signal->get_data) return EI_IMPULSE_INVALID_SIZE;
  if (signal->total_length != (size_t)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) return EI_IMPULSE_ERROR_SHAPES_DONT_MATCH;
  const int64_t t0 = ei_read_timer_us();
#if EI_CLASSIFIER_HAS_DSP
  if (run_dsp_to_input(signal) != 0) return EI_IMPULSE_DSP_ERROR;
  const int64_t t1 = ei_read_timer_us();
#else
  const int64_t t1 = ei_read_timer_us();
#if EI_CLASSIFIER_HAS_ANOMALY
  {
    const float *direct = tf_signal_buffer_of(signal);
    if (!direct) {
      static float tf_anomaly_features[TF_ANOMALY_INPUT_FEATURES];
      if (signal->get_data(0, TF_ANOMALY_INPUT_FEATURES, tf_anomaly_features) != 0) return EI_IMPULSE_DSP_ERROR;
      direct = tf_anomaly_features;
    }
    score_anomaly(direct);
  }
#endif
  if (fill_input(signal) != 0) return EI_IMPULSE_DSP_ERROR;
#endif
  TF_MARK(2);
  const int rc = tf_model_invoke();
  TF_MARK(3);
  if (rc != 0) return EI_IMPULSE_TFLITE_ERROR;
  const int64_t t2 = ei_read_timer_us();
  for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
    result->classification[i].label = tf_labels[i];
#if TF_MODEL_INT8
    result->classification[i].value = TF_MODEL_OUTPUT_SCALE * (float)(tf_model_output()[i] - TF_MODEL_OUTPUT_ZERO_POINT);
#else
    result->classification[i].value = tf_model_output()[i];
#endif
  }
#if EI_CLASSIFIER_HAS_ANOMALY
  result->anomaly = tf_anomaly_value;
  result->timing.anomaly_us = tf_anomaly_time_us;
#else
  result->anomaly = 0.0f;
  result->timing.anomaly_us = 0;
#endif
  result->timing.sampling = 0;
  /* With a DSP the anomaly is scored inside [t0, t1); without one inside [t1, t2). */
  result->timing.dsp_us = t1 - t0 - (EI_CLASSIFIER_HAS_DSP ? result->timing.anomaly_us : 0);
  result->timing.classification_us = t2 - t1 - (EI_CLASSIFIER_HAS_DSP ? 0 : result->timing.anomaly_us);
  result->timing.dsp = (int)(result->timing.dsp_us / 1000);
  result->timing.classification = (int)(result->timing.classification_us / 1000);
  result->timing.anomaly = (int)(result->timing.anomaly_us / 1000);
#if !defined(TF_NO_PRINTF)
  if (debug) {
    printf("tinyforge: dsp %ld us, classification %ld us\n", (long)result->timing.dsp_us, (long)result->timing.classification_us);
  }
#else
  (void)debug;
#endif
  return EI_IMPULSE_OK;
}

extern "C" int tf_classify(const float *input, size_t length, float *scores, float *anomaly) {
  signal_t signal;
  signal_from_buffer(input, length, &signal);
  ei_impulse_result_t result;
  const EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  if (err != EI_IMPULSE_OK) return (int)err;
  for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) scores[i] = result.classification[i].value;
  if (anomaly) *anomaly = result.anomaly;
  return 0;
}

extern "C" const char *tf_label(size_t index) { return index < (size_t)EI_CLASSIFIER_LABEL_COUNT ? tf_labels[index] : 0; }
