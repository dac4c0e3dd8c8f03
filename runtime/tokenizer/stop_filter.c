/* Stop strings over streamed text (edge_stop_filter_t in edge/tokenizer.h). The filter
 * holds back the longest end of the text that is the start of some stop string, so that a
 * stop string split over several pushes is still found before any of it is handed out;
 * everything before that end can never become part of a stop string and goes out. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "edge/tokenizer.h"
#include "tokenizer/utf8.h"

struct edge_stop_filter_s {
  uint32_t magic; /* EDGE_HANDLE_STOP_FILTER (base/handle.h) */
  uint32_t count;
  char **stops;   /* count copies of the caller's strings */
  size_t *lengths;
  size_t longest;
  int stopped;
  char *held;     /* the end of the text that may begin a stop string: fewer than `longest` bytes */
  size_t num_held;
  char *text;     /* what the last call hands out */
  size_t capacity;
};

static void free_filter(edge_stop_filter_t *f) {
  for (uint32_t i = 0; f->stops && i < f->count; ++i) edge_mem_free(f->stops[i]);
  edge_mem_free(f->stops);
  edge_mem_free(f->lengths);
  edge_mem_free(f->held);
  edge_mem_free(f->text);
  edge_mem_free(f);
}

edge_status_t edge_stop_filter_create(const char *const *stops, uint32_t count, edge_stop_filter_t **out) {
  if (!out) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_filter is NULL");
  *out = NULL;
  if (count && !stops) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "stops is NULL");
  for (uint32_t i = 0; i < count; ++i) {
    if (!stops[i] || !stops[i][0])
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "stop string %u is %s", i, stops[i] ? "empty" : "NULL");
    if (!utf8_valid(stops[i], strlen(stops[i])))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "stop string %u is not well-formed UTF-8", i);
  }
  edge_stop_filter_t *f = edge_mem_calloc(1, sizeof(*f));
  if (!f) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  f->count = count;
  int failed = 0;
  if (count) {
    f->stops = edge_mem_calloc(count, sizeof(char *));
    f->lengths = edge_mem_calloc(count, sizeof(size_t));
    failed = !f->stops || !f->lengths;
  }
  for (uint32_t i = 0; !failed && i < count; ++i) {
    f->lengths[i] = strlen(stops[i]);
    f->stops[i] = edge_mem_alloc(f->lengths[i] + 1);
    if (!f->stops[i]) failed = 1;
    else memcpy(f->stops[i], stops[i], f->lengths[i] + 1);
    if (f->lengths[i] > f->longest) f->longest = f->lengths[i];
  }
  if (!failed && f->longest) {
    f->held = edge_mem_alloc(f->longest);
    failed = !f->held;
  }
  if (failed) {
    free_filter(f);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  f->magic = EDGE_HANDLE_STOP_FILTER;
  *out = f;
  return NULL;
}

void edge_stop_filter_release(edge_stop_filter_t *f) {
  if (!f) return;
  edge_handle_retire(&f->magic, EDGE_HANDLE_STOP_FILTER, "edge_stop_filter_release");
  free_filter(f);
}

/* Where the first stop string in text[0..n) begins, or n when none is complete in it. */
static size_t first_stop(const edge_stop_filter_t *f, const char *text, size_t n) {
  for (size_t at = 0; at < n; ++at)
    for (uint32_t i = 0; i < f->count; ++i)
      if (f->lengths[i] <= n - at && memcmp(text + at, f->stops[i], f->lengths[i]) == 0) return at;
  return n;
}

/* Bytes at the end of text[0..n) that begin some stop string (which they do not complete,
 * or first_stop would have found it): the longest such end. */
static size_t possible_start(const edge_stop_filter_t *f, const char *text, size_t n) {
  size_t most = f->longest - 1 < n ? f->longest - 1 : n;
  for (size_t back = most; back > 0; --back)
    for (uint32_t i = 0; i < f->count; ++i)
      if (f->lengths[i] > back && memcmp(text + n - back, f->stops[i], back) == 0) return back;
  return 0;
}

edge_status_t edge_stop_filter_push(edge_stop_filter_t *f, const char *text, size_t size, const char **out_text,
                                    size_t *out_size, int *out_stopped) {
  if (!f || (!text && size) || !out_text || !out_size || !out_stopped)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_stop_filter_push: NULL argument");
  *out_stopped = f->stopped;
  if (f->stopped) size = 0; /* what follows a stop string is never handed out */
  size_t needed = f->num_held + size + 1;
  if (needed > f->capacity) {
    size_t capacity = needed < 64 ? 64 : needed * 2;
    char *grown = edge_mem_realloc(f->text, capacity);
    if (!grown) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory"); /* nothing changed */
    f->text = grown;
    f->capacity = capacity;
  }
  size_t n = f->num_held;
  if (n) memcpy(f->text, f->held, n);
  if (size) memcpy(f->text + n, text, size);
  n += size;
  size_t stop = first_stop(f, f->text, n);
  if (stop < n) {
    f->stopped = 1;
    f->num_held = 0;
    n = stop;
  } else {
    f->num_held = f->count ? possible_start(f, f->text, n) : 0;
    n -= f->num_held;
    if (f->num_held) memcpy(f->held, f->text + n, f->num_held);
  }
  f->text[n] = '\0';
  *out_text = f->text;
  *out_size = n;
  *out_stopped = f->stopped;
  return NULL;
}

void edge_stop_filter_flush(edge_stop_filter_t *f, const char **out_text, size_t *out_size) {
  if (!f || !out_text || !out_size) return;
  /* The held bytes fit: the buffer held them, and a byte more, when they were pushed. */
  if (f->num_held) memcpy(f->text, f->held, f->num_held);
  if (f->text) f->text[f->num_held] = '\0';
  *out_text = f->text ? f->text : "";
  *out_size = f->num_held;
  f->num_held = 0;
}
