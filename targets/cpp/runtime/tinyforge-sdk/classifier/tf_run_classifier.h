/* tinyforge SDK: the classifier API. Names and shapes follow Edge Impulse's
 * run_classifier()/signal_t/ei_impulse_result_t so existing application code ports with few
 * changes. No dynamic allocation: signal_t uses a plain C function pointer. C and C++. */
#ifndef TF_RUN_CLASSIFIER_H
#define TF_RUN_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model-parameters/model_metadata.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  EI_IMPULSE_OK = 0,
  EI_IMPULSE_ERROR_SHAPES_DONT_MATCH = -1,
  EI_IMPULSE_CANCELED = -2,
  EI_IMPULSE_TFLITE_ERROR = -3,
  EI_IMPULSE_DSP_ERROR = -5,
  EI_IMPULSE_INVALID_SIZE = -12
} EI_IMPULSE_ERROR;

/* The input: total_length values, fetched in pieces so raw data can stay in flash or on a
 * sensor driver. get_data returns 0 on success. */
typedef struct ei_signal_t {
  int (*get_data)(size_t offset, size_t length, float *out_ptr);
  size_t total_length;
} signal_t;

typedef struct {
  const char *label;
  float value;
} ei_impulse_result_classification_t;

typedef struct {
  int sampling;
  int dsp;
  int classification;
  int anomaly;
  int64_t dsp_us;
  int64_t classification_us;
  int64_t anomaly_us;
} ei_impulse_result_timing_t;

#ifndef EI_CLASSIFIER_CONTINUOUS
#define EI_CLASSIFIER_CONTINUOUS 0
#endif

#if EI_CLASSIFIER_CONTINUOUS
/* What run_classifier_continuous() adds to a result. */
typedef struct {
  bool ready;                 /* false while the first window is still filling (scores are 0) */
  uint32_t window_index;      /* 0-based inference index in the stream */
  double time_ms;             /* end of that window in the stream: index * stride + window */
  int detected;               /* label index that fired on this window, or -1 */
  const char *detected_label; /* its label, or NULL */
  float detected_score;       /* its averaged score */
} tf_continuous_result_t;
#endif

typedef struct {
  ei_impulse_result_classification_t classification[EI_CLASSIFIER_LABEL_COUNT];
  float anomaly;
  ei_impulse_result_timing_t timing;
#if EI_CLASSIFIER_CONTINUOUS
  tf_continuous_result_t continuous;
#endif
} ei_impulse_result_t;

/* Runs the DSP block (if the model has one) and the network on one window of input. */
EI_IMPULSE_ERROR run_classifier(signal_t *signal, ei_impulse_result_t *result, bool debug);

#if EI_CLASSIFIER_HAS_DSP
/* run_classifier()'s first half: the DSP block on one raw window, its features converted into
 * the model's input tensor (tf_model_input()). Returns 0, or -1 when the DSP fails. */
int tf_run_dsp_to_input(signal_t *signal);
#endif

#if EI_CLASSIFIER_CONTINUOUS
/* Continuous mode: `slice` holds the next EI_CLASSIFIER_SLICE_SIZE raw values of the stream.
 * Once EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW slices have arrived, each call classifies the
 * latest full window (result->classification) and applies the post-processing baked in from
 * the target's `continuous` params (averaging, threshold, suppression; result->continuous). */
EI_IMPULSE_ERROR run_classifier_continuous(signal_t *slice, ei_impulse_result_t *result, bool debug);
/* Clears the window and the post-processing state (start of a new stream). */
void run_classifier_init(void);
void run_classifier_continuous_reset(void);
#endif

/* Wraps a float buffer as a signal_t (keeps the pointer; one buffer at a time). */
int signal_from_buffer(const float *data, size_t data_size, signal_t *signal);
/* The buffer behind a signal made by signal_from_buffer(), else NULL. */
const float *tf_signal_buffer_of(const signal_t *signal);

/* Porting: microseconds from a free-running clock. The default returns 0 on bare metal and a
 * monotonic clock on POSIX hosts; define TF_PORTING_TIMER=0 and provide your own to override. */
int64_t ei_read_timer_us(void);

#ifdef __cplusplus
}
#endif
#endif
