/* tinyforge SDK: continuous classification (run_classifier_continuous). Fed one slice of
 * EI_CLASSIFIER_SLICE_SIZE raw values at a time; once a full window has arrived, every slice
 * classifies the latest window and runs the post-processing whose contract is
 * runner/src/calibrate/postprocess.ts (ported operation for operation: float32 sums and
 * averages, double time arithmetic, as JavaScript does). Static state only, no allocation. */
#include "tf_run_classifier.h"

#if EI_CLASSIFIER_CONTINUOUS
#include <math.h>
#include <string.h>

/* The last full window, oldest value first: shifted by one slice per call, so the DSP reads it
 * in place (one window of RAM; a ring would need a second, linearized copy for the DSP). */
static float tf_window[EI_CLASSIFIER_RAW_SAMPLE_COUNT];
static uint32_t tf_slices_seen = 0;
static uint32_t tf_inferences = 0;
/* The last TF_CONTINUOUS_AVERAGE_WINDOWS score vectors, as the TS ring. */
static float tf_scores[TF_CONTINUOUS_AVERAGE_WINDOWS][EI_CLASSIFIER_LABEL_COUNT];
static uint32_t tf_scores_kept = 0;
static uint32_t tf_scores_next = 0;
static bool tf_suppressing = false; /* false = suppressedUntil is -infinity */
static double tf_suppressed_until = 0.0;
static const int tf_keywords[TF_CONTINUOUS_KEYWORD_COUNT] = TF_CONTINUOUS_KEYWORDS;

typedef char tf_window_is_whole_slices[(EI_CLASSIFIER_RAW_SAMPLE_COUNT % EI_CLASSIFIER_SLICE_SIZE) == 0 ? 1 : -1];

extern "C" void run_classifier_init(void) {
  memset(tf_window, 0, sizeof tf_window);
  tf_slices_seen = 0;
  tf_inferences = 0;
  tf_scores_kept = 0;
  tf_scores_next = 0;
  tf_suppressing = false;
  tf_suppressed_until = 0.0;
}

extern "C" void run_classifier_continuous_reset(void) { run_classifier_init(); }

/* postprocess.ts PostProcessor.push(): returns the label index that fires, or -1. */
static int tf_postprocess(const float *scores, uint32_t index, double time_ms, float *score_out) {
  const uint32_t n = TF_CONTINUOUS_AVERAGE_WINDOWS;
  memcpy(tf_scores[tf_scores_next], scores, sizeof tf_scores[0]);
  if (tf_scores_kept < n) tf_scores_kept++;
  tf_scores_next = (tf_scores_next + 1) % n;
  const uint32_t count = tf_scores_kept;
  const uint32_t start = count < n ? 0 : tf_scores_next;
  int best = -1;
  float best_avg = -INFINITY;
  for (int k = 0; k < TF_CONTINUOUS_KEYWORD_COUNT; k++) {
    const int label = tf_keywords[k];
    volatile float sum = 0.0f; /* volatile: a float32 rounding after every addition, whatever the FPU */
    for (uint32_t j = 0; j < count; j++) sum = sum + tf_scores[(start + j) % count][label];
    const float avg = sum / (float)count;
    if (avg > best_avg) {
      best = label;
      best_avg = avg;
    }
  }
  (void)index;
  if (best < 0 || (double)best_avg < TF_CONTINUOUS_THRESHOLD || (tf_suppressing && time_ms < tf_suppressed_until)) return -1;
  tf_suppressing = true;
  tf_suppressed_until = time_ms + TF_CONTINUOUS_SUPPRESSION_MS;
  *score_out = best_avg;
  return best;
}

extern "C" EI_IMPULSE_ERROR run_classifier_continuous(signal_t *slice, ei_impulse_result_t *result, bool debug) {
  if (!slice || !result || !slice->get_data) return EI_IMPULSE_INVALID_SIZE;
  if (slice->total_length != (size_t)EI_CLASSIFIER_SLICE_SIZE) return EI_IMPULSE_ERROR_SHAPES_DONT_MATCH;
  const size_t keep = (size_t)EI_CLASSIFIER_RAW_SAMPLE_COUNT - (size_t)EI_CLASSIFIER_SLICE_SIZE;
  memmove(tf_window, tf_window + EI_CLASSIFIER_SLICE_SIZE, keep * sizeof(float));
  if (slice->get_data(0, (size_t)EI_CLASSIFIER_SLICE_SIZE, tf_window + keep) != 0) return EI_IMPULSE_DSP_ERROR;
  if (tf_slices_seen < (uint32_t)EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW) tf_slices_seen++;
  tf_continuous_result_t *c = &result->continuous;
  c->ready = false;
  c->window_index = tf_inferences;
  c->time_ms = 0.0;
  c->detected = -1;
  c->detected_label = 0;
  c->detected_score = 0.0f;
  if (tf_slices_seen < (uint32_t)EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW) {
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
      result->classification[i].label = 0;
      result->classification[i].value = 0.0f;
    }
    return EI_IMPULSE_OK; /* the first window is still filling */
  }
  signal_t window;
  signal_from_buffer(tf_window, EI_CLASSIFIER_RAW_SAMPLE_COUNT, &window);
  const EI_IMPULSE_ERROR err = run_classifier(&window, result, debug);
  if (err != EI_IMPULSE_OK) return err;
  float scores[EI_CLASSIFIER_LABEL_COUNT];
  for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) scores[i] = result->classification[i].value;
  const uint32_t index = tf_inferences++;
  const double time_ms = (double)index * TF_CONTINUOUS_STRIDE_MS + TF_CONTINUOUS_WINDOW_MS;
  float score = 0.0f;
  const int fired = tf_postprocess(scores, index, time_ms, &score);
  c->ready = true;
  c->window_index = index;
  c->time_ms = time_ms;
  c->detected = fired;
  c->detected_label = fired >= 0 ? result->classification[fired].label : 0;
  c->detected_score = score;
  return EI_IMPULSE_OK;
}
#endif
