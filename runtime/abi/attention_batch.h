/*
 * Internal: the attention context of one LM step: which sequence and position each token
 * of the batch belongs to. The LM front door (runtime/sched) fills it and hands it to the
 * backend's step. On the CPU its address is the model's attention-context argument, which
 * the generated code hands to the import table's paged_attention unchanged (so the layout is the
 * runtime's own, not part of the model ABI); the Vulkan backend writes it into its KV arena
 * instead (edge/model_abi.h).
 */
#ifndef EDGE_ABI_ATTENTION_BATCH_H_
#define EDGE_ABI_ATTENTION_BATCH_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/kv_cache.h"

/* The CPU backend's worker threads (runtime/cpu/thread_pool.h). */
typedef struct edge_thread_pool_s edge_thread_pool_t;

/* Memory the attention kernel keeps from step to step, so that a step allocates nothing:
 * the kernel grows `data` (never shrinks it) when a step needs more than `floats`, sizing
 * the scores for `max_span` positions at least, so that decoding grows it once. Its owner
 * (the CPU backend, one per LM) frees `data`; the LM's lock serializes the steps. */
typedef struct edge_attention_scratch_t {
  float *data;
  size_t floats;
  int64_t max_span; /* positions one token attends to at most: max_context or the window */
} edge_attention_scratch_t;

typedef struct edge_attention_batch_t {
  int64_t num_tokens;
  const int32_t *token_seq; /* per token: index into seqs */
  const int64_t *token_pos; /* per token: its position in that sequence */
  edge_kv_seq_t *const *seqs;
  uint32_t num_seqs;
  /* Set by the kernel when it cannot run (e.g. a position without a reserved page);
   * the step then fails with EDGE_STATUS_INTERNAL naming it. */
  int32_t error;
  int64_t error_token;
  edge_thread_pool_t *threads;       /* splits (token, KV head) pairs; NULL: the calling thread */
  edge_attention_scratch_t *scratch; /* NULL: the kernel allocates scratch for each call */
} edge_attention_batch_t;

#endif /* EDGE_ABI_ATTENTION_BATCH_H_ */
