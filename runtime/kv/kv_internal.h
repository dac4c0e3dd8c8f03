/*
 * Internal: KV pools over memory the caller owns, and the page tables, for backends whose
 * kernels read the cache themselves (runtime/vulkan keeps the pages in a device buffer).
 */
#ifndef EDGE_KV_KV_INTERNAL_H_
#define EDGE_KV_KV_INTERNAL_H_

#include "edge/kv_cache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of one page for this layout and these options (defaults filled in as
 * edge_kv_pool_create does). INVALID_ARGUMENT as edge_kv_pool_create. */
edge_status_t edge_kv_page_bytes(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                 uint64_t *out_page_bytes);

/* As edge_kv_pool_create, with the pages in `memory` (memory_bytes / page bytes of them;
 * options->budget_bytes is ignored). The memory must outlive the pool. */
edge_status_t edge_kv_pool_create_in(const edge_kv_layout_t *layout, const edge_kv_options_t *options,
                                     void *memory, uint64_t memory_bytes, edge_kv_pool_t **out_pool);

/* The pool's first page. */
const void *edge_kv_pool_memory(const edge_kv_pool_t *pool);

/* The sequence's page table: entry i is the page of positions [i * page_tokens,
 * (i + 1) * page_tokens), or -1 when none holds them. */
const int32_t *edge_kv_seq_pages(const edge_kv_seq_t *seq, uint32_t *out_entries);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_KV_KV_INTERNAL_H_ */
