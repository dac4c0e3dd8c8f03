/*
 * tokenizer_bench TOKENIZER.json TEXT [COPIES] — how fast libedgetok encodes: TEXT
 * repeated COPIES times (default 1) as one string, encoded 3 times; prints bytes, ids and
 * the best MB/s. A benchmark, not a test: figures go in the README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edge/edgert.h"
#include "edge/tokenizer.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: tokenizer_bench TOKENIZER.json TEXT [COPIES]\n");
    return 2;
  }
  const long copies = argc > 3 ? atol(argv[3]) : 1;
  FILE *file = fopen(argv[2], "rb");
  if (!file || copies < 1) {
    fprintf(stderr, "tokenizer_bench: cannot read %s\n", argv[2]);
    return 1;
  }
  fseek(file, 0, SEEK_END);
  const long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)(size * copies) + 1);
  if (!text || fread(text, 1, (size_t)size, file) != (size_t)size) return 1;
  fclose(file);
  for (long c = 1; c < copies; ++c) memcpy(text + c * size, text, (size_t)size);
  edge_tokenizer_t *tokenizer = NULL;
  edge_status_t status = edge_tokenizer_open(argv[1], &tokenizer);
  if (status) {
    fprintf(stderr, "tokenizer_bench: %s\n", edge_status_message(status));
    return 1;
  }
  double best = 1e30;
  uint32_t count = 0;
  for (int run = 0; run < 3; ++run) {
    int32_t *ids = NULL;
    const double start = now();
    status = edge_tokenizer_encode(tokenizer, text, (size_t)(size * copies), 1, &ids, &count);
    const double seconds = now() - start;
    if (status) {
      fprintf(stderr, "tokenizer_bench: %s\n", edge_status_message(status));
      return 1;
    }
    free(ids);
    if (seconds < best) best = seconds;
  }
  printf("%ld bytes -> %u ids in %.3f s: %.2f MB/s\n", size * copies, count, best, (double)(size * copies) / best / 1e6);
  edge_tokenizer_release(tokenizer);
  free(text);
  return 0;
}
