/* Test harness (not shipped): int8 vectors in on stdin, model outputs out on stdout.
 * stdin: uint32 n, then n × TF_MODEL_INPUT_COUNT bytes. stdout: n × TF_MODEL_OUTPUT_COUNT bytes,
 * then (with --dump) every op output of the first vector as records {int32 id, uint32 bytes, data}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/tf_model.h"

static unsigned char dump_buf[1 << 22];
static size_t dump_len = 0;
static void observe(int32_t id, const void *data, size_t bytes) {
  if (dump_len + 8 + bytes > sizeof dump_buf) return;
  memcpy(dump_buf + dump_len, &id, 4);
  uint32_t b = (uint32_t)bytes;
  memcpy(dump_buf + dump_len + 4, &b, 4);
  memcpy(dump_buf + dump_len + 8, data, bytes);
  dump_len += 8 + bytes;
}

int main(int argc, char **argv) {
  const int dump = argc > 1 && strcmp(argv[1], "--dump") == 0;
  uint32_t n = 0;
  if (fread(&n, 4, 1, stdin) != 1) return 2;
  const size_t in_bytes = TF_MODEL_INPUT_COUNT * (TF_MODEL_INT8 ? 1 : 4);
  const size_t out_bytes = TF_MODEL_OUTPUT_COUNT * (TF_MODEL_INT8 ? 1 : 4);
  for (uint32_t v = 0; v < n; v++) {
    if (fread((void *)tf_model_input(), 1, in_bytes, stdin) != in_bytes) return 3;
    if (dump && v == 0) tf_model_invoke_observed(observe);
    else tf_model_invoke();
    fwrite(tf_model_output(), 1, out_bytes, stdout);
  }
  if (dump) fwrite(dump_buf, 1, dump_len, stdout);
  return 0;
}
