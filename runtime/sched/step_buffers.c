/* The per-LM arrays of a step, allocated once (see step_buffers.h). */
#include "sched/step_buffers.h"

#include <stdlib.h>
#include <string.h>

#include "base/status.h"

edge_status_t edge_step_buffers_init(edge_step_buffers_t *b, uint32_t capacity, uint32_t vocab) {
  memset(b, 0, sizeof(*b));
  b->capacity = capacity;
  b->sessions = malloc(sizeof(*b->sessions) * capacity);
  b->seqs = malloc(sizeof(*b->seqs) * capacity);
  b->take = malloc(sizeof(*b->take) * capacity);
  b->row_of = malloc(sizeof(*b->row_of) * capacity);
  b->token_seq = malloc(sizeof(*b->token_seq) * capacity);
  b->ids = malloc(sizeof(*b->ids) * capacity);
  b->positions = malloc(sizeof(*b->positions) * capacity);
  b->rows = malloc(sizeof(*b->rows) * capacity);
  b->logits = malloc(sizeof(*b->logits) * (size_t)capacity * vocab);
  if (!b->sessions || !b->seqs || !b->take || !b->row_of || !b->token_seq || !b->ids || !b->positions ||
      !b->rows || !b->logits) {
    edge_step_buffers_free(b);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory for steps of %u tokens of %u logits",
                            capacity, vocab);
  }
  return NULL;
}

void edge_step_buffers_free(edge_step_buffers_t *b) {
  free(b->sessions);
  free(b->seqs);
  free(b->take);
  free(b->row_of);
  free(b->token_seq);
  free(b->ids);
  free(b->positions);
  free(b->rows);
  free(b->logits);
  memset(b, 0, sizeof(*b));
}
