/*
 * tokenizer.json from arbitrary bytes: edge_tokenizer_open must refuse what is malformed;
 * a tokenizer it accepts encodes arbitrary bytes (the input's own, not always UTF-8) and
 * decodes every id of its vocabulary and ids beyond it, also streamed through a
 * detokenizer, whose pieces must add up to the decode.
 */
#include "fuzz_file.h"

#include <string.h>

#include "edge/tokenizer.h"

/* The detokenizer's pieces of `ids` and its flush, against the decode `text`. */
static void check_stream(const edge_tokenizer_t *tokenizer, const int32_t *ids, uint32_t count, const char *text,
                         size_t text_size) {
  edge_detokenizer_t *detokenizer = NULL;
  edge_status_t status = edge_detokenizer_create(tokenizer, 0, &detokenizer);
  if (status) abort();
  size_t at = 0;
  for (uint32_t i = 0; i <= count; ++i) {
    const char *piece = NULL;
    size_t size = 0;
    if (i < count) {
      status = edge_detokenizer_push(detokenizer, ids[i], &piece, &size);
      if (status) abort();
    } else {
      edge_detokenizer_flush(detokenizer, &piece, &size);
    }
    if (at + size > text_size || memcmp(text + at, piece, size) != 0) abort();
    at += size;
  }
  if (at != text_size) abort();
  edge_detokenizer_release(detokenizer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_file(data, size, path, sizeof path);
  edge_tokenizer_t *tokenizer = NULL;
  edge_status_t status = edge_tokenizer_open(path, &tokenizer);
  close(fd);
  if (status) {
    if (tokenizer) abort();
    edge_status_free(status);
    return 0;
  }
  for (int add_special = 0; add_special <= 1; ++add_special) {
    int32_t *ids = NULL;
    uint32_t count = 0;
    status = edge_tokenizer_encode(tokenizer, (const char *)data, size < 1024 ? size : 1024, add_special, &ids, &count);
    if (status) {
      edge_status_free(status);
    } else {
      const uint32_t vocab = edge_tokenizer_vocab_size(tokenizer);
      for (uint32_t i = 0; i < count; ++i)
        if (ids[i] < 0 || (uint32_t)ids[i] >= vocab) abort(); /* encode gives ids of the vocabulary */
      char *text = NULL;
      size_t text_size = 0;
      status = edge_tokenizer_decode(tokenizer, ids, count, &text, &text_size);
      if (status) edge_status_free(status);
      else if (strlen(text) != text_size) abort();
      else check_stream(tokenizer, ids, count, text, text_size);
      free(text);
    }
    free(ids);
  }
  const uint32_t vocab = edge_tokenizer_vocab_size(tokenizer);
  int32_t every[4096 + 3];
  uint32_t count = 0;
  for (uint32_t id = 0; id < vocab && count < 4096; ++id) every[count++] = (int32_t)id;
  every[count++] = (int32_t)vocab, every[count++] = -1, every[count++] = INT32_MAX; /* beyond it */
  char *text = NULL;
  size_t text_size = 0;
  status = edge_tokenizer_decode(tokenizer, every, count, &text, &text_size);
  if (status) edge_status_free(status);
  else check_stream(tokenizer, every, count, text, text_size);
  free(text);
  (void)edge_tokenizer_token_id(tokenizer, "</s>");
  edge_tokenizer_release(tokenizer);
  return 0;
}
