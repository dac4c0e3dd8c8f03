/* The paged KV cache: a page pool with reference counts and per-sequence page tables. */
#include "edge/kv_cache.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "kv/kv_internal.h"

struct edge_kv_pool_s {
  uint32_t magic; /* EDGE_HANDLE_KV_POOL (base/handle.h) */
  edge_kv_layout_t layout;
  edge_kv_options_t options;
  size_t row_bytes; /* one (layer, K/V, head, position) row: head_dim elements (+ int8's scale) */
  uint64_t page_bytes;
  uint32_t pages_total;
  uint32_t pages_used;
  uint32_t pages_peak;
  uint32_t num_free;
  uint32_t *free_pages; /* stack of free page indices */
  uint32_t *refcounts;  /* per page: sequences referencing it */
  unsigned char *memory;
  size_t memory_size; /* of the mapping this pool made; 0 when the memory is the caller's */
  uint32_t live_sequences;
};

#define NO_PAGE (-1)

struct edge_kv_seq_s {
  uint32_t magic; /* EDGE_HANDLE_KV_SEQ */
  edge_kv_pool_t *pool;
  int64_t length;
  int32_t *pages; /* page of positions [i * page_tokens, (i + 1) * page_tokens), or NO_PAGE */
  uint32_t num_entries;
  uint32_t capacity;
};

/* Options with defaults filled in, and the bytes of a row and of a page. */
static edge_status_t resolve(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                             edge_kv_options_t *out_opts, size_t *out_row_bytes, uint64_t *out_page_bytes) {
  if (!layout || !layout->num_layers || !layout->num_kv_heads || !layout->head_dim)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV layout needs layers, heads and head_dim > 0");
  edge_kv_options_t opts = options ? *options : (edge_kv_options_t){0};
  if (!opts.page_tokens) opts.page_tokens = 16;
  if (!opts.dtype) opts.dtype = EDGE_DTYPE_F32;
  if (!opts.budget_bytes) opts.budget_bytes = 64ull << 20;
  if (opts.dtype != EDGE_DTYPE_F32 && opts.dtype != EDGE_DTYPE_F16 && opts.dtype != EDGE_DTYPE_I8)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV dtype %s: expected f32, f16 or i8", edge_dtype_name(opts.dtype));
  if (opts.page_tokens > (1u << 20))
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV page of %u tokens is too large", opts.page_tokens);
  size_t row_bytes = opts.dtype == EDGE_DTYPE_I8    ? EDGE_KV_INT8_ROW_BYTES(layout->head_dim)
                     : opts.dtype == EDGE_DTYPE_F16 ? 2 * (size_t)layout->head_dim
                                                    : 4 * (size_t)layout->head_dim;
  *out_opts = opts;
  *out_row_bytes = row_bytes;
  *out_page_bytes = (uint64_t)layout->num_layers * 2 * layout->num_kv_heads * opts.page_tokens * row_bytes;
  return NULL;
}

edge_status_t edge_kv_page_bytes(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                 uint64_t *out_page_bytes) {
  edge_kv_options_t opts;
  size_t row_bytes;
  return resolve(layout, options, &opts, &row_bytes, out_page_bytes);
}

/* A pool over `memory` (mmapped here when NULL) holding `pages` pages. */
static edge_status_t create_pool(const edge_kv_layout_t *layout, const edge_kv_options_t *options, void *memory,
                                 uint64_t memory_bytes, edge_kv_pool_t **out_pool) {
  if (!out_pool) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_pool is NULL");
  *out_pool = NULL;
  edge_kv_options_t opts;
  size_t row_bytes;
  uint64_t page_bytes;
  EDGE_RETURN_IF_ERROR(resolve(layout, options, &opts, &row_bytes, &page_bytes));
  uint64_t budget = memory ? memory_bytes : opts.budget_bytes;
  uint64_t pages = budget / page_bytes;
  if (pages == 0)
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED,
                            "KV budget of %llu bytes holds no page of %llu bytes",
                            (unsigned long long)budget, (unsigned long long)page_bytes);
  if (pages > INT32_MAX) pages = INT32_MAX;

  edge_kv_pool_t *pool = edge_mem_calloc(1, sizeof(*pool));
  if (!pool) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  pool->magic = EDGE_HANDLE_KV_POOL;
  pool->layout = *layout;
  pool->options = opts;
  pool->row_bytes = row_bytes;
  pool->page_bytes = page_bytes;
  pool->pages_total = (uint32_t)pages;
  pool->free_pages = edge_mem_alloc(sizeof(uint32_t) * pages);
  pool->refcounts = edge_mem_calloc(pages, sizeof(uint32_t));
  if (memory) {
    pool->memory = memory;
  } else {
    /* Anonymous mapping: reserved address space, committed page by page as it is written. */
    pool->memory_size = (size_t)(pages * page_bytes);
    void *mapped = mmap(NULL, pool->memory_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pool->memory = mapped == MAP_FAILED ? NULL : mapped;
  }
  if (!pool->free_pages || !pool->refcounts || !pool->memory) {
    edge_kv_pool_release(pool);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "cannot reserve %llu bytes of KV pages",
                            (unsigned long long)pages * page_bytes);
  }
  /* Lowest page index on top, so pages are handed out in address order. */
  for (uint32_t i = 0; i < pool->pages_total; ++i) pool->free_pages[i] = pool->pages_total - 1 - i;
  pool->num_free = pool->pages_total;
  *out_pool = pool;
  return NULL;
}

edge_status_t edge_kv_pool_create(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                  edge_kv_pool_t **out_pool) {
  return create_pool(layout, options, NULL, 0, out_pool);
}

edge_status_t edge_kv_pool_create_in(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                     void *memory, uint64_t memory_bytes, edge_kv_pool_t **out_pool) {
  if (!memory) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV pool memory is NULL");
  return create_pool(layout, options, memory, memory_bytes, out_pool);
}

void edge_kv_pool_release(edge_kv_pool_t *pool) {
  if (!pool) return;
  edge_handle_retire(&pool->magic, EDGE_HANDLE_KV_POOL, "edge_kv_pool_release");
  if (pool->memory && pool->memory_size) munmap(pool->memory, pool->memory_size); /* not the caller's memory */
  edge_mem_free(pool->free_pages);
  edge_mem_free(pool->refcounts);
  edge_mem_free(pool);
}

void edge_kv_pool_stats(const edge_kv_pool_t *pool, edge_kv_pool_stats_t *out) {
  memset(out, 0, sizeof(*out));
  if (!pool) return;
  out->page_tokens = pool->options.page_tokens;
  out->dtype = pool->options.dtype;
  out->page_bytes = pool->page_bytes;
  out->pages_total = pool->pages_total;
  out->pages_used = pool->pages_used;
  out->pages_peak = pool->pages_peak;
  out->sliding_window = pool->options.sliding_window;
}

const edge_kv_layout_t *edge_kv_pool_layout(const edge_kv_pool_t *pool) { return &pool->layout; }

static unsigned char *page_address(const edge_kv_pool_t *pool, int32_t page) {
  return pool->memory + (size_t)page * pool->page_bytes;
}

static int32_t take_page(edge_kv_pool_t *pool) {
  uint32_t page = pool->free_pages[--pool->num_free];
  pool->refcounts[page] = 1;
  if (++pool->pages_used > pool->pages_peak) pool->pages_peak = pool->pages_used;
  return (int32_t)page;
}

static void drop_page(edge_kv_pool_t *pool, int32_t page) {
  if (page == NO_PAGE) return;
  if (--pool->refcounts[page] == 0) {
    pool->free_pages[pool->num_free++] = (uint32_t)page;
    --pool->pages_used;
  }
}

static edge_status_t grow_table(edge_kv_seq_t *seq, uint32_t entries) {
  if (entries <= seq->capacity) return NULL;
  uint32_t capacity = seq->capacity ? seq->capacity : 8;
  while (capacity < entries) capacity *= 2;
  int32_t *pages = edge_mem_realloc(seq->pages, sizeof(int32_t) * capacity);
  if (!pages) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a page table");
  seq->pages = pages;
  seq->capacity = capacity;
  return NULL;
}

edge_status_t edge_kv_seq_create(edge_kv_pool_t *pool, edge_kv_seq_t **out_seq) {
  if (!out_seq) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_seq is NULL");
  *out_seq = NULL;
  if (!pool) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "pool is NULL");
  edge_kv_seq_t *seq = edge_mem_calloc(1, sizeof(*seq));
  if (!seq) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  seq->magic = EDGE_HANDLE_KV_SEQ;
  seq->pool = pool;
  ++pool->live_sequences;
  *out_seq = seq;
  return NULL;
}

edge_status_t edge_kv_seq_fork(const edge_kv_seq_t *parent, edge_kv_seq_t **out_seq) {
  if (!out_seq) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_seq is NULL");
  *out_seq = NULL;
  if (!parent) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "parent is NULL");
  edge_kv_seq_t *seq = NULL;
  EDGE_RETURN_IF_ERROR(edge_kv_seq_create(parent->pool, &seq));
  edge_status_t status = grow_table(seq, parent->num_entries);
  if (status) {
    edge_kv_seq_release(seq);
    return status;
  }
  /* Only pages holding written positions are shared; reserved-but-unwritten ones stay
   * the parent's. */
  uint32_t page_tokens = parent->pool->options.page_tokens;
  uint32_t written = (uint32_t)((parent->length + page_tokens - 1) / page_tokens);
  for (uint32_t i = 0; i < written; ++i) {
    seq->pages[i] = parent->pages[i];
    if (seq->pages[i] != NO_PAGE) ++parent->pool->refcounts[seq->pages[i]];
  }
  seq->num_entries = written;
  seq->length = parent->length;
  *out_seq = seq;
  return NULL;
}

void edge_kv_seq_release(edge_kv_seq_t *seq) {
  if (!seq) return;
  edge_handle_retire(&seq->magic, EDGE_HANDLE_KV_SEQ, "edge_kv_seq_release");
  for (uint32_t i = 0; i < seq->num_entries; ++i) drop_page(seq->pool, seq->pages[i]);
  --seq->pool->live_sequences;
  edge_mem_free(seq->pages);
  edge_mem_free(seq);
}

int64_t edge_kv_seq_length(const edge_kv_seq_t *seq) { return seq ? seq->length : 0; }

uint32_t edge_kv_seq_page_count(const edge_kv_seq_t *seq) {
  uint32_t count = 0;
  for (uint32_t i = 0; seq && i < seq->num_entries; ++i) count += seq->pages[i] != NO_PAGE;
  return count;
}

edge_status_t edge_kv_seq_reserve(edge_kv_seq_t *seq, int64_t count) {
  if (!seq || count < 0) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "bad KV reserve");
  if (count == 0) return NULL;
  edge_kv_pool_t *pool = seq->pool;
  int64_t page_tokens = pool->options.page_tokens;
  int64_t first = seq->length / page_tokens, last = (seq->length + count - 1) / page_tokens;
  if (last >= INT32_MAX) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV sequence too long");
  /* Count first, so that a shortfall changes nothing. */
  uint32_t needed = 0;
  for (int64_t i = first; i <= last; ++i) {
    int32_t page = i < seq->num_entries ? seq->pages[i] : NO_PAGE;
    if (page == NO_PAGE || pool->refcounts[page] > 1) ++needed;
  }
  if (needed > pool->num_free)
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED,
                            "KV cache full: %u more pages needed, %u of %u free", needed, pool->num_free,
                            pool->pages_total);
  EDGE_RETURN_IF_ERROR(grow_table(seq, (uint32_t)last + 1));
  for (int64_t i = seq->num_entries; i <= last; ++i) seq->pages[i] = NO_PAGE;
  if (seq->num_entries < last + 1) seq->num_entries = (uint32_t)last + 1;
  for (int64_t i = first; i <= last; ++i) {
    int32_t page = seq->pages[i];
    if (page != NO_PAGE && pool->refcounts[page] == 1) continue;
    int32_t fresh = take_page(pool);
    if (page != NO_PAGE) { /* shared: copy what is written, then let go of the original */
      memcpy(page_address(pool, fresh), page_address(pool, page), pool->page_bytes);
      drop_page(pool, page);
    }
    seq->pages[i] = fresh;
  }
  return NULL;
}

edge_status_t edge_kv_seq_commit(edge_kv_seq_t *seq, int64_t count) {
  if (!seq || count < 0) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "bad KV commit");
  edge_kv_pool_t *pool = seq->pool;
  int64_t page_tokens = pool->options.page_tokens;
  if (seq->length + count > (int64_t)seq->num_entries * page_tokens)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV commit of %lld positions beyond the reserved ones",
                            (long long)count);
  seq->length += count;
  if (pool->options.sliding_window) {
    /* A later query (at position >= length) sees positions >= length - window + 1. */
    int64_t keep_from = seq->length - (int64_t)pool->options.sliding_window + 1;
    for (int64_t i = 0; i < seq->num_entries && (i + 1) * page_tokens <= keep_from; ++i) {
      drop_page(pool, seq->pages[i]);
      seq->pages[i] = NO_PAGE;
    }
  }
  return NULL;
}

edge_status_t edge_kv_seq_truncate(edge_kv_seq_t *seq, int64_t length) {
  if (!seq || length < 0 || length > seq->length)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV truncate to %lld of %lld positions",
                            (long long)length, seq ? (long long)seq->length : 0ll);
  int64_t page_tokens = seq->pool->options.page_tokens;
  if (length > 0 && seq->pages[(length - 1) / page_tokens] == NO_PAGE)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "KV truncate to %lld: that position was evicted",
                            (long long)length);
  /* Whole pages past the new end go back; a partly kept page stays (copied on write). */
  uint32_t keep = (uint32_t)((length + page_tokens - 1) / page_tokens);
  for (uint32_t i = keep; i < seq->num_entries; ++i) drop_page(seq->pool, seq->pages[i]);
  if (seq->num_entries > keep) seq->num_entries = keep;
  seq->length = length;
  return NULL;
}

uint32_t edge_kv_seq_dtype(const edge_kv_seq_t *seq) { return seq->pool->options.dtype; }

size_t edge_kv_seq_row_bytes(const edge_kv_seq_t *seq) { return seq->pool->row_bytes; }

int64_t edge_kv_seq_window_start(const edge_kv_seq_t *seq, int64_t position) {
  uint32_t window = seq->pool->options.sliding_window;
  if (!window || position < window) return 0;
  return position - window + 1;
}

void *edge_kv_seq_slot(const edge_kv_seq_t *seq, uint32_t layer, uint32_t value, uint32_t kv_head,
                       int64_t position) {
  const edge_kv_pool_t *pool = seq->pool;
  const edge_kv_layout_t *l = &pool->layout;
  int64_t page_tokens = pool->options.page_tokens;
  if (position < 0 || layer >= l->num_layers || value > 1 || kv_head >= l->num_kv_heads) return NULL;
  int64_t entry = position / page_tokens;
  if (entry >= seq->num_entries || seq->pages[entry] == NO_PAGE) return NULL;
  size_t row = (((size_t)layer * 2 + value) * l->num_kv_heads + kv_head) * page_tokens + (size_t)(position % page_tokens);
  return page_address(pool, seq->pages[entry]) + row * pool->row_bytes;
}

void *edge_kv_seq_run(const edge_kv_seq_t *seq, uint32_t layer, uint32_t value, uint32_t kv_head,
                      int64_t position, int64_t *out_run) {
  int64_t page_tokens = seq->pool->options.page_tokens;
  *out_run = page_tokens - (position >= 0 ? position % page_tokens : 0);
  return edge_kv_seq_slot(seq, layer, value, kv_head, position);
}

const int32_t *edge_kv_seq_pages(const edge_kv_seq_t *seq, uint32_t *out_entries) {
  *out_entries = seq->num_entries;
  return seq->pages;
}

const void *edge_kv_pool_memory(const edge_kv_pool_t *pool) { return pool->memory; }
