/*
 * edge/kv_cache.h — the paged KV cache of causal LMs.
 *
 * A pool owns a fixed number of pages carved out of a byte budget. A page holds the keys
 * and values of `page_tokens` consecutive positions for every layer and KV head, laid out
 * [layer][key|value][kv_head][token][head_dim]. A sequence owns a page table mapping its
 * positions to pages; pages are reference counted, so a sequence forked from another
 * shares the common prefix and copies a shared page only when it writes into it
 * (copy on write). With a sliding window, pages that no future query can see are returned
 * to the pool as the sequence grows.
 *
 * Thread safety: the functions below must not run concurrently on one pool or on
 * sequences of one pool; edge_lm_t (edge/lm.h) serializes them under its lock. Sequences
 * of different pools are independent.
 */
#ifndef EDGE_KV_CACHE_H_
#define EDGE_KV_CACHE_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/edgert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shape of one position's cache entry: what the model needs stored per token. */
typedef struct edge_kv_layout_t {
  uint32_t num_layers;
  uint32_t num_kv_heads;
  uint32_t head_dim;
} edge_kv_layout_t;

typedef struct edge_kv_options_t {
  uint32_t page_tokens;    /* positions per page; 0 selects 16 */
  uint32_t dtype;          /* EDGE_DTYPE_F32 (or 0), EDGE_DTYPE_F16 or EDGE_DTYPE_I8 (below) */
  uint64_t budget_bytes;   /* bytes for all pages; 0 selects 64 MiB */
  uint32_t sliding_window; /* 0: attend to every earlier position; W: to the last W only */
  uint32_t reserved;
} edge_kv_options_t;

/* An int8 row (one token's keys or values of one KV head) is an f32 scale followed by
 * head_dim int8 values: value = scale * q, scale = max |value| / 127 over the row (a scale
 * per token and head). */
#define EDGE_KV_INT8_ROW_BYTES(head_dim) (4 + (size_t)(head_dim))

typedef struct edge_kv_pool_s edge_kv_pool_t;
typedef struct edge_kv_seq_s edge_kv_seq_t;

typedef struct edge_kv_pool_stats_t {
  uint32_t page_tokens;
  uint32_t dtype;
  uint64_t page_bytes;
  uint32_t pages_total;
  uint32_t pages_used; /* pages referenced by at least one sequence */
  uint32_t pages_peak; /* highest pages_used so far */
  uint32_t sliding_window;
} edge_kv_pool_stats_t;

/* Errors: INVALID_ARGUMENT (zero layout fields, unknown dtype, pages of more than 2^20
 * positions), RESOURCE_EXHAUSTED (the budget holds no page, or no memory for it). The page
 * memory is reserved, not touched: pages count towards RSS only once written. */
edge_status_t edge_kv_pool_create(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                  edge_kv_pool_t **out_pool);
/* Releases the pool; every sequence of it must have been released first. */
void edge_kv_pool_release(edge_kv_pool_t *pool);
void edge_kv_pool_stats(const edge_kv_pool_t *pool, edge_kv_pool_stats_t *out_stats);
const edge_kv_layout_t *edge_kv_pool_layout(const edge_kv_pool_t *pool);

/* An empty sequence: length 0, no pages. */
edge_status_t edge_kv_seq_create(edge_kv_pool_t *pool, edge_kv_seq_t **out_seq);
/* A sequence with the same contents as `parent`, sharing its pages (no page is copied or
 * allocated until one of the two writes into a shared page). */
edge_status_t edge_kv_seq_fork(const edge_kv_seq_t *parent, edge_kv_seq_t **out_seq);
/* Returns the sequence's pages to the pool (those no other sequence shares). */
void edge_kv_seq_release(edge_kv_seq_t *seq);

/* Positions stored so far. */
int64_t edge_kv_seq_length(const edge_kv_seq_t *seq);
/* Pages the sequence references (shared ones included). */
uint32_t edge_kv_seq_page_count(const edge_kv_seq_t *seq);

/*
 * Makes positions [length, length + count) writable: allocates missing pages and copies a
 * shared page the new positions fall into. RESOURCE_EXHAUSTED when the pool lacks pages
 * (or memory to grow the page table); then no page is taken and the sequence is as it was.
 */
edge_status_t edge_kv_seq_reserve(edge_kv_seq_t *seq, int64_t count);
/* Marks `count` reserved positions as written (length += count) and, with a sliding
 * window, returns pages no later position can attend to. INVALID_ARGUMENT when fewer
 * positions were reserved. */
edge_status_t edge_kv_seq_commit(edge_kv_seq_t *seq, int64_t count);

/* The pool's element type (EDGE_DTYPE_F32, EDGE_DTYPE_F16 or EDGE_DTYPE_I8). */
uint32_t edge_kv_seq_dtype(const edge_kv_seq_t *seq);
/* Bytes of one stored row (see edge_kv_seq_slot). */
size_t edge_kv_seq_row_bytes(const edge_kv_seq_t *seq);

/* Forgets positions [length, current length): the next reserve/commit rewrites them.
 * INVALID_ARGUMENT when `length` exceeds the current length or reaches into positions a
 * sliding window already evicted. */
edge_status_t edge_kv_seq_truncate(edge_kv_seq_t *seq, int64_t length);

/* First position a query at `position` attends to (0 without a sliding window). */
int64_t edge_kv_seq_window_start(const edge_kv_seq_t *seq, int64_t position);

/*
 * Address of the row stored for (layer, key (0) or value (1), kv_head, position), or NULL
 * when that position has no page (never reserved, or evicted): head_dim elements of the
 * pool's dtype, or for int8 the EDGE_KV_INT8_ROW_BYTES layout.
 */
void *edge_kv_seq_slot(const edge_kv_seq_t *seq, uint32_t layer, uint32_t value, uint32_t kv_head,
                       int64_t position);
/* As edge_kv_seq_slot, and *out_run: how many positions from `position` on are stored one
 * after the other (edge_kv_seq_row_bytes apart) in the same page. */
void *edge_kv_seq_run(const edge_kv_seq_t *seq, uint32_t layer, uint32_t value, uint32_t kv_head,
                      int64_t position, int64_t *out_run);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_KV_CACHE_H_ */
