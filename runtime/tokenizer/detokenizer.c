/* Text of generated ids as they come (edge_detokenizer_t in edge/tokenizer.h): each id's
 * bytes join what is held back, and all of it but an unfinished UTF-8 sequence at the end
 * is handed out. The pieces together are exactly edge_tokenizer_decode of all the ids. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "edge/tokenizer.h"
#include "tokenizer/pieces.h"
#include "tokenizer/utf8.h"

struct edge_detokenizer_s {
  uint32_t magic; /* EDGE_HANDLE_DETOKENIZER (base/handle.h) */
  const edge_tokenizer_t *tokenizer;
  int started;      /* a byte was handed out or held: a later space is the text's own */
  char held[4];     /* the start of a UTF-8 sequence its next bytes have not completed yet */
  size_t num_held;
  char *text;       /* what the last call hands out */
  size_t capacity;
};

edge_status_t edge_detokenizer_create(const edge_tokenizer_t *tokenizer, int continues_text, edge_detokenizer_t **out) {
  if (!out) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_detokenizer is NULL");
  *out = NULL;
  if (!tokenizer) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer is NULL");
  edge_detokenizer_t *d = edge_mem_calloc(1, sizeof(*d));
  if (!d) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->magic = EDGE_HANDLE_DETOKENIZER;
  d->tokenizer = tokenizer;
  d->started = continues_text != 0; /* a continuation's first space is its own */
  *out = d;
  return NULL;
}

void edge_detokenizer_release(edge_detokenizer_t *d) {
  if (!d) return;
  edge_handle_retire(&d->magic, EDGE_HANDLE_DETOKENIZER, "edge_detokenizer_release");
  edge_mem_free(d->text);
  edge_mem_free(d);
}

/* Bytes at the end of text[0..n) that begin a UTF-8 sequence longer than what follows. */
static size_t unfinished_tail(const char *text, size_t n) {
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    unsigned char c = (unsigned char)text[n - back];
    if ((c & 0xc0u) == 0x80u) continue; /* a continuation byte: look further back */
    size_t length = c < 0x80u ? 1 : utf8_sequence_length(c);
    return length > back ? back : 0;
  }
  return 0;
}

edge_status_t edge_detokenizer_push(edge_detokenizer_t *d, int32_t id, const char **out_text, size_t *out_size) {
  if (!d || !out_text || !out_size)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "detokenizer, out_text or out_size is NULL");
  size_t needed = d->num_held + edge_tokenizer_piece_capacity(d->tokenizer, id) + 1;
  if (needed > d->capacity) {
    size_t capacity = needed < 64 ? 64 : needed * 2;
    char *grown = edge_mem_realloc(d->text, capacity);
    if (!grown) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory"); /* nothing changed */
    d->text = grown;
    d->capacity = capacity;
  }
  memcpy(d->text, d->held, d->num_held);
  size_t n = d->num_held + edge_tokenizer_piece_bytes(d->tokenizer, id, d->text + d->num_held);
  size_t start = 0;
  if (!d->started && n > 0) { /* the text's first byte: the prepended space goes, as in decode */
    d->started = 1;
    if (d->text[0] == ' ' && edge_tokenizer_strips_leading_space(d->tokenizer)) start = 1;
  }
  size_t tail = unfinished_tail(d->text + start, n - start);
  d->num_held = tail;
  memcpy(d->held, d->text + n - tail, tail);
  n -= tail;
  d->text[n] = '\0';
  *out_text = d->text + start;
  *out_size = n - start;
  return NULL;
}

void edge_detokenizer_flush(edge_detokenizer_t *d, const char **out_text, size_t *out_size) {
  if (!d || !out_text || !out_size) return;
  /* Room for the held bytes: the buffer always had it, as it held them before. */
  if (d->num_held) memcpy(d->text, d->held, d->num_held);
  *out_size = d->num_held;
  if (d->text) d->text[d->num_held] = '\0';
  *out_text = d->text ? d->text : "";
  d->num_held = 0;
}
