/*
 * Causal LMs compiled with --target vulkan: the KV cache lives in one device buffer, the
 * KV arena, which the generated kernels read and write (layout: edge/model_abi.h). The
 * host side of edge/kv_cache.h (page allocation, reference counts, copy on write) runs
 * unchanged on the arena's pages through the buffer's host mapping; before each step the
 * host writes the step's token records and page tables into the arena's front.
 */
#include "vulkan/vk_lm.h"
#include "edge/codegen_abi.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/status.h"
#include "kv/kv_internal.h"
#include "vulkan/vk_graph.h"

struct edge_vk_lm_s {
  edge_vk_graph_t *graph;
  uint32_t *words; /* the arena, mapped */
  uintptr_t address;
  uint64_t bytes;
  uint32_t page_tokens;
  uint32_t max_tokens;  /* token records the arena holds */
  uint32_t tables_base; /* word index of the page tables' space */
  uint32_t pages_base;  /* word index of page 0 */
  uint32_t *table_at;   /* per sequence of a step, the word index of its page table */
};

edge_status_t edge_vk_lm_create(const edge_model_desc_t *model, const edge_weights_t *weights, const char *device,
                                const edge_kv_layout_t *layout, const edge_kv_options_t *kv,
                                uint32_t max_step_tokens, uint32_t max_context, edge_vk_lm_t **out_lm,
                                edge_kv_pool_t **out_pool) {
  *out_lm = NULL;
  *out_pool = NULL;
  edge_kv_options_t opts = *kv;
  if (!opts.dtype) opts.dtype = EDGE_DTYPE_F32;
  if (!opts.page_tokens) opts.page_tokens = 16;
  if (!opts.budget_bytes) opts.budget_bytes = 64ull << 20;
  uint64_t page_bytes = 0;
  EDGE_RETURN_IF_ERROR(edge_kv_page_bytes(layout, &opts, &page_bytes));
  /* A page is [layer][key|value][kv_head][token] rows; the kernels address rows in words. */
  uint64_t row_bytes = page_bytes / ((uint64_t)layout->num_layers * 2 * layout->num_kv_heads * opts.page_tokens);
  if (row_bytes % 4)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                            "model '%s': a KV row of head_dim %u in dtype %s is not a whole number of 32-bit words "
                            "(the Vulkan kernels need that; f32 always is)",
                            model->name, layout->head_dim, edge_dtype_name(opts.dtype));
  uint64_t pages = opts.budget_bytes / page_bytes;
  /* Every token may belong to its own sequence, each with a table of max_context positions. */
  uint64_t table_words = (uint64_t)max_step_tokens * ((max_context + opts.page_tokens - 1) / opts.page_tokens);
  uint64_t tables_base = EDGE_VK_KV_HEADER_WORDS + (uint64_t)EDGE_VK_KV_TOKEN_WORDS * max_step_tokens;
  uint64_t pages_base = (tables_base + table_words + 15) / 16 * 16; /* pages start 64-byte aligned */
  uint64_t words = pages_base + pages * (page_bytes / 4);
  /* The kernels index the arena with signed 32-bit words. */
  if (pages == 0 || words > INT32_MAX)
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED,
                            "model '%s': a KV budget of %llu bytes in pages of %llu bytes does not make a Vulkan KV arena "
                            "(at least one page, at most 8 GiB)",
                            model->name, (unsigned long long)opts.budget_bytes, (unsigned long long)page_bytes);

  edge_vk_lm_t *lm = edge_mem_calloc(1, sizeof(*lm));
  if (!lm) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  lm->bytes = words * 4;
  lm->page_tokens = opts.page_tokens;
  lm->max_tokens = max_step_tokens;
  lm->tables_base = (uint32_t)tables_base;
  lm->pages_base = (uint32_t)pages_base;
  /* A step's sequences each bring at least one token: max_step_tokens of them at most. */
  lm->table_at = edge_mem_alloc(sizeof(uint32_t) * ((size_t)max_step_tokens + 1));
  if (!lm->table_at) {
    edge_mem_free(lm);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  edge_status_t status = edge_vk_graph_create(model, weights, device, &lm->graph);
  if (!status && lm->bytes > edge_vk_graph_max_buffer_range(lm->graph))
    status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED,
                              "model '%s': a KV arena of %llu bytes exceeds the device's storage buffer range of %llu",
                              model->name, (unsigned long long)lm->bytes,
                              (unsigned long long)edge_vk_graph_max_buffer_range(lm->graph));
  void *mapped = NULL;
  if (!status) status = edge_vk_graph_add_buffer(lm->graph, lm->bytes, &mapped, &lm->address);
  if (!status) {
    lm->words = mapped;
    lm->words[EDGE_VK_KV_PAGES_BASE] = lm->pages_base;
    lm->words[EDGE_VK_KV_PAGE_TOKENS] = opts.page_tokens;
    lm->words[EDGE_VK_KV_PAGE_WORDS] = (uint32_t)(page_bytes / 4);
    lm->words[EDGE_VK_KV_TOKENS_BASE] = EDGE_VK_KV_HEADER_WORDS;
    lm->words[EDGE_VK_KV_DTYPE] = opts.dtype;
    lm->words[EDGE_VK_KV_ROW_WORDS] = (uint32_t)(row_bytes / 4);
    status = edge_kv_pool_create_in(layout, &opts, lm->words + lm->pages_base, pages * page_bytes, out_pool);
  }
  if (status) {
    edge_vk_lm_release(lm);
    return status;
  }
  *out_lm = lm;
  return NULL;
}

void edge_vk_lm_release(edge_vk_lm_t *lm) {
  if (!lm) return;
  edge_vk_graph_release(lm->graph);
  edge_mem_free(lm->table_at);
  edge_mem_free(lm);
}

const char *edge_vk_lm_device_name(const edge_vk_lm_t *lm) { return edge_vk_graph_device_name(lm->graph); }

/* Writes the step's page tables and token records; checks that every position a token
 * attends to has a page (the kernels read them unchecked). */
static edge_status_t write_step(edge_vk_lm_t *lm, const edge_attention_batch_t *batch) {
  if (batch->num_tokens > lm->max_tokens)
    return edge_make_status(EDGE_STATUS_INTERNAL, "a step of %lld tokens; the Vulkan KV arena holds %u",
                            (long long)batch->num_tokens, lm->max_tokens);
  if (batch->num_seqs > lm->max_tokens)
    return edge_make_status(EDGE_STATUS_INTERNAL, "a step of %u sequences; the Vulkan KV arena holds %u",
                            batch->num_seqs, lm->max_tokens);
  uint32_t *table_at = lm->table_at;
  uint64_t next = lm->tables_base;
  for (uint32_t s = 0; s < batch->num_seqs; ++s) {
    uint32_t entries = 0;
    const int32_t *pages = edge_kv_seq_pages(batch->seqs[s], &entries);
    if (next + entries > lm->pages_base)
      return edge_make_status(EDGE_STATUS_INTERNAL, "the step's page tables overflow the Vulkan KV arena");
    table_at[s] = (uint32_t)next;
    if (entries) memcpy(lm->words + next, pages, sizeof(int32_t) * entries);
    next += entries;
  }
  edge_status_t status = NULL;
  for (int64_t t = 0; t < batch->num_tokens && !status; ++t) {
    const uint32_t s = (uint32_t)batch->token_seq[t];
    const edge_kv_seq_t *seq = batch->seqs[s];
    const int64_t position = batch->token_pos[t], start = edge_kv_seq_window_start(seq, position);
    uint32_t entries = 0;
    const int32_t *pages = edge_kv_seq_pages(seq, &entries);
    for (int64_t entry = start / lm->page_tokens; entry <= position / lm->page_tokens && !status; ++entry)
      if (entry >= entries || pages[entry] < 0)
        status = edge_make_status(EDGE_STATUS_INTERNAL, "token %lld of the step reads position %lld, which has no KV page",
                                  (long long)t, (long long)(entry * lm->page_tokens));
    uint32_t *record = lm->words + EDGE_VK_KV_HEADER_WORDS + (size_t)EDGE_VK_KV_TOKEN_WORDS * (size_t)t;
    record[0] = table_at[s];
    record[1] = (uint32_t)position;
    record[2] = (uint32_t)start;
    record[3] = 0;
  }
  return status;
}

edge_status_t edge_vk_lm_run(edge_vk_lm_t *lm, const edge_attention_batch_t *batch, const edge_tensor_t *inputs,
                             edge_tensor_t *outputs) {
  EDGE_RETURN_IF_ERROR(write_step(lm, batch));
  return edge_vk_graph_run_with_context(lm->graph, lm->address, lm->bytes, inputs, outputs);
}
