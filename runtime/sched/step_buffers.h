/*
 * Internal: the arrays an LM step fills for the model (runtime/sched/lm.c), made once per
 * LM for the most tokens a step runs and reused by every step under the LM's lock, so that
 * a step allocates nothing.
 */
#ifndef EDGE_SCHED_STEP_BUFFERS_H_
#define EDGE_SCHED_STEP_BUFFERS_H_

#include <stdint.h>

#include "edge/kv_cache.h"
#include "edge/lm.h"

typedef struct edge_step_buffers_t {
  /* Tokens of one step at most. Every session of a step brings at least one token, so it
   * bounds the sessions of a step, and the logits rows, too. */
  uint32_t capacity;
  /* Per session of the step: */
  edge_lm_session_t **sessions;
  edge_kv_seq_t **seqs;
  uint32_t *take;  /* its tokens in this step */
  int32_t *row_of; /* its logits row, -1 when it samples nothing after the step */
  /* Per token of the step: */
  int32_t *token_seq; /* index of its session */
  int64_t *ids, *positions;
  int64_t *rows; /* logits_indices: the tokens whose logits the model computes */
  /* capacity rows of vocab logits. A step writes only the rows it computes (one per
   * sampling session with edge-select-logits); rows never written cost address space,
   * not memory. */
  float *logits;
} edge_step_buffers_t;

/* RESOURCE_EXHAUSTED when there is no memory for them; then nothing is left allocated. */
edge_status_t edge_step_buffers_init(edge_step_buffers_t *buffers, uint32_t capacity, uint32_t vocab);
void edge_step_buffers_free(edge_step_buffers_t *buffers);

#endif /* EDGE_SCHED_STEP_BUFFERS_H_ */
