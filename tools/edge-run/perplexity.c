/*
 * edge-run WEIGHTS --perplexity TEXT --tokenizer tokenizer.json [--window N] [--max-tokens N]
 *         [--kv-f16 | --kv-int8] [--vulkan-device INDEX|NAME] [--predictions FILE] [--json]
 *
 * Perplexity of a causal LM on a text file: each line is encoded on its own (no special
 * tokens) and the ids are joined; the ids are cut into windows of N tokens (default 128),
 * each scored in a fresh session (edge_lm_score), so every window's first token has no
 * prediction. Prints the perplexity, exp(mean negative log-likelihood) over all
 * predictions; --predictions writes the model's top-1 prediction at each position (one
 * comma-separated line) so that builds can be compared for agreement.
 */
#include "perplexity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/lm.h"
#include "kv_option.h"
#include "edge/edgert.h"
#include "edge/tokenizer.h"

static int fail(const char *message, const char *value) {
  fprintf(stderr, "edge-run: error: %s%s%s\n", message, value ? ": " : "", value ? value : "");
  return 1;
}

static int fail_status(edge_status_t status) {
  fprintf(stderr, "edge-run: error: %s\n", edge_status_message(status));
  edge_status_free(status);
  return 1;
}

/* The whole file, NUL-terminated (*out malloc'ed). */
static int read_file(const char *path, char **out, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) return 0;
  char *data = NULL;
  size_t length = 0, capacity = 0, got;
  char buffer[65536];
  while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
    if (length + got + 1 > capacity) {
      capacity = (length + got + 1) * 2;
      char *grown = realloc(data, capacity);
      if (!grown) break;
      data = grown;
    }
    memcpy(data + length, buffer, got);
    length += got;
  }
  int ok = !ferror(file) && data;
  fclose(file);
  if (!ok) {
    free(data);
    return 0;
  }
  data[length] = '\0';
  *out = data;
  *size = length;
  return 1;
}

/* Every line of `text` encoded without special tokens, ids joined. */
static edge_status_t encode_lines(const edge_tokenizer_t *tokenizer, const char *text, int32_t **out, uint32_t *count) {
  *out = NULL;
  *count = 0;
  uint32_t capacity = 0;
  for (const char *line = text; *line;) {
    const char *end = strchr(line, '\n');
    size_t length = end ? (size_t)(end - line) : strlen(line);
    if (length > 0) {
      int32_t *ids = NULL;
      uint32_t n = 0;
      edge_status_t status = edge_tokenizer_encode(tokenizer, line, length, 0, &ids, &n);
      if (status) return status;
      if (*count + n > capacity) {
        capacity = (*count + n) * 2;
        int32_t *grown = realloc(*out, sizeof(int32_t) * capacity);
        if (!grown) {
          free(ids);
          return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        }
        *out = grown;
      }
      memcpy(*out + *count, ids, sizeof(int32_t) * n);
      *count += n;
      free(ids);
    }
    line = end ? end + 1 : line + length;
  }
  return NULL;
}

int edge_run_perplexity(const edge_model_desc_t *model, int argc, char **argv) {
  const char *text_path = NULL, *tokenizer_path = NULL, *predictions_path = NULL;
  uint32_t window = 128, max_tokens = 0;
  int json = 0;
  uint32_t weights_flags = EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS; /* --no-verify-weights: 0 */
  edge_lm_options_t options = {0};
  /* What the run owns, released at `done` whichever way it ends. */
  char *text = NULL;
  edge_tokenizer_t *tokenizer = NULL;
  int32_t *ids = NULL;
  edge_weights_t *weights = NULL;
  edge_lm_t *lm = NULL;
  float *logprobs = NULL;
  int32_t *argmax = NULL;
  FILE *predictions = NULL;
  int failed = 0;
#define FAIL(result) do { failed = (result); goto done; } while (0)
  for (int i = 2; i < argc; ++i) {
    const char *arg = argv[i];
    if (strcmp(arg, "--json") == 0) { json = 1; continue; }
    if (strcmp(arg, "--no-verify-weights") == 0) { weights_flags = 0; continue; }
    const int kv_option = parse_kv_dtype_option(arg, &options);
    if (kv_option < 0) FAIL(1);
    if (kv_option) continue;
    if (i + 1 >= argc) FAIL(fail("option needs a value", arg));
    const char *value = argv[++i];
    char *end = NULL;
    long number = strtol(value, &end, 10);
    int numeric = end != value && *end == '\0' && number > 0 && number <= 1 << 30;
    if (strcmp(arg, "--perplexity") == 0) text_path = value;
    else if (strcmp(arg, "--tokenizer") == 0) tokenizer_path = value;
    else if (strcmp(arg, "--predictions") == 0) predictions_path = value;
    else if (strcmp(arg, "--vulkan-device") == 0) options.vulkan_device = value;
    else if (strcmp(arg, "--window") == 0 || strcmp(arg, "--max-tokens") == 0) {
      const long least = arg[2] == 'w' ? 2 : 1; /* a window scores from its second token on */
      if (!numeric || number < least) {
        fprintf(stderr, "edge-run: error: %s: expected a whole number from %ld to %d: %s\n", arg, least, 1 << 30,
                value);
        FAIL(1);
      }
      if (arg[2] == 'w') window = (uint32_t)number;
      else max_tokens = (uint32_t)number;
    } else FAIL(fail("unknown option for --perplexity", arg));
  }
  if (!text_path || !tokenizer_path) FAIL(fail("--perplexity TEXT needs --tokenizer tokenizer.json", NULL));

  size_t size = 0;
  if (!read_file(text_path, &text, &size)) FAIL(fail("cannot read", text_path));
  uint32_t count = 0;
  edge_status_t status = edge_tokenizer_open(tokenizer_path, &tokenizer);
  if (!status) status = encode_lines(tokenizer, text, &ids, &count);
  free(text);
  text = NULL;
  if (status) FAIL(fail_status(status));
  if (max_tokens && count > max_tokens) count = max_tokens;
  if (count < 2) FAIL(fail("the text has fewer than 2 tokens", text_path));

  options.prefill_chunk = window;
  status = edge_weights_open(argv[1], weights_flags, &weights);
  if (!status) status = edge_lm_create(model, weights, &options, &lm);
  if (status) FAIL(fail_status(status));

  logprobs = malloc(sizeof(float) * window);
  argmax = malloc(sizeof(int32_t) * window);
  predictions = predictions_path ? fopen(predictions_path, "w") : NULL;
  if (!logprobs || !argmax || (predictions_path && !predictions)) FAIL(fail("cannot write", predictions_path));
  double nll = 0;
  uint64_t scored = 0, windows = 0;
  for (uint32_t start = 0; start + 1 < count; start += window, ++windows) {
    uint32_t n = count - start < window ? count - start : window;
    edge_lm_session_t *session = NULL;
    status = edge_lm_session_create(lm, &session);
    if (!status) status = edge_lm_score(session, ids + start, n, logprobs, argmax);
    edge_lm_session_release(session);
    if (status) FAIL(fail_status(status));
    for (uint32_t j = 0; j + 1 < n; ++j) {
      nll -= logprobs[j];
      if (predictions) fprintf(predictions, "%s%d", scored + j ? "," : "", argmax[j]);
    }
    scored += n - 1;
  }
  if (predictions) {
    fputc('\n', predictions);
    int closed = fclose(predictions);
    predictions = NULL;
    if (closed != 0) FAIL(fail("write failed", predictions_path));
  }
  double perplexity = exp(nll / (double)scored);
  if (json)
    printf("{\"tokens\": %u, \"predictions\": %llu, \"windows\": %llu, \"window\": %u, \"nll\": %.6f, \"perplexity\": %.6f}\n",
           count, (unsigned long long)scored, (unsigned long long)windows, window, nll / (double)scored, perplexity);
  else
    printf("perplexity %.4f over %llu predictions (%u tokens in %llu windows of up to %u)\n", perplexity,
           (unsigned long long)scored, count, (unsigned long long)windows, window);
done:
#undef FAIL
  if (predictions) fclose(predictions);
  free(text);
  free(logprobs);
  free(argmax);
  free(ids);
  edge_lm_release(lm);
  edge_weights_release(weights);
  edge_tokenizer_release(tokenizer);
  return failed;
}
