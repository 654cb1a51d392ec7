/* tinyforge SDK: a plain C entry point for callers that only have a float buffer. */
#ifndef TF_RUN_CLASSIFIER_C_H
#define TF_RUN_CLASSIFIER_C_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Classifies `length` input values; writes EI_CLASSIFIER_LABEL_COUNT scores (labels order of
 * tf_label(i)) and the anomaly score (0 without an anomaly block). Returns 0 on success. */
int tf_classify(const float *input, size_t length, float *scores, float *anomaly);
const char *tf_label(size_t index);

#ifdef __cplusplus
}
#endif
#endif
