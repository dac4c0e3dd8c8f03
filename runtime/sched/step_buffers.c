/* The per-LM arrays of a step, allocated once (see step_buffers.h). */
#include "sched/step_buffers.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/status.h"

edge_status_t edge_step_buffers_init(edge_step_buffers_t *b, uint32_t capacity, uint32_t vocab) {
  memset(b, 0, sizeof(*b));
  b->capacity = capacity;
  b->sessions = edge_mem_alloc(sizeof(*b->sessions) * capacity);
  b->seqs = edge_mem_alloc(sizeof(*b->seqs) * capacity);
  b->take = edge_mem_alloc(sizeof(*b->take) * capacity);
  b->row_of = edge_mem_alloc(sizeof(*b->row_of) * capacity);
  b->token_seq = edge_mem_alloc(sizeof(*b->token_seq) * capacity);
  b->ids = edge_mem_alloc(sizeof(*b->ids) * capacity);
  b->positions = edge_mem_alloc(sizeof(*b->positions) * capacity);
  b->rows = edge_mem_alloc(sizeof(*b->rows) * capacity);
  b->logits = edge_mem_alloc(sizeof(*b->logits) * (size_t)capacity * vocab);
  if (!b->sessions || !b->seqs || !b->take || !b->row_of || !b->token_seq || !b->ids || !b->positions ||
      !b->rows || !b->logits) {
    edge_step_buffers_free(b);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory for steps of %u tokens of %u logits",
                            capacity, vocab);
  }
  return NULL;
}

void edge_step_buffers_free(edge_step_buffers_t *b) {
  edge_mem_free(b->sessions);
  edge_mem_free(b->seqs);
  edge_mem_free(b->take);
  edge_mem_free(b->row_of);
  edge_mem_free(b->token_seq);
  edge_mem_free(b->ids);
  edge_mem_free(b->positions);
  edge_mem_free(b->rows);
  edge_mem_free(b->logits);
  memset(b, 0, sizeof(*b));
}
