/* Greedy, temperature, top-k, top-p and repetition-penalty sampling. */
#include "sample/sampling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t edge_random_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int32_t argmax(const float *logits, uint32_t vocab) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < vocab; ++i)
    if (logits[i] > logits[best]) best = i;
  return (int32_t)best;
}

typedef struct candidate_t {
  float logit;
  uint32_t id;
} candidate_t;

/* Descending logit, ties by ascending id: the order does not depend on qsort's. */
static int by_logit_descending(const void *a, const void *b) {
  const candidate_t *x = a, *y = b;
  if (x->logit != y->logit) return x->logit > y->logit ? -1 : 1;
  return x->id < y->id ? -1 : 1;
}

int32_t edge_sample(float *logits, uint32_t vocab, const edge_sampling_t *sampling,
                    const int32_t *history, uint32_t count, uint64_t *rng, float *scratch) {
  float penalty = sampling->repetition_penalty;
  if (penalty > 0 && penalty != 1) {
    /* Each distinct earlier token once: positive logits shrink, negative ones grow. */
    uint8_t *seen = (uint8_t *)scratch;
    memset(seen, 0, vocab);
    for (uint32_t i = 0; i < count; ++i) {
      int32_t id = history[i];
      if (id < 0 || (uint32_t)id >= vocab || seen[id]) continue;
      seen[id] = 1;
      logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
    }
  }
  if (sampling->temperature <= 0) return argmax(logits, vocab);

  candidate_t *order = (candidate_t *)(void *)scratch;
  float *probs = scratch + 2 * (size_t)vocab;
  for (uint32_t i = 0; i < vocab; ++i) order[i] = (candidate_t){logits[i], i};
  qsort(order, vocab, sizeof(candidate_t), by_logit_descending);
  uint32_t keep = vocab;
  if (sampling->top_k > 0 && sampling->top_k < keep) keep = sampling->top_k;
  float highest = order[0].logit, total = 0;
  for (uint32_t i = 0; i < keep; ++i) {
    probs[i] = expf((order[i].logit - highest) / sampling->temperature);
    total += probs[i];
  }
  if (sampling->top_p > 0 && sampling->top_p < 1) {
    float mass = 0;
    for (uint32_t i = 0; i < keep; ++i) {
      mass += probs[i] / total;
      if (mass >= sampling->top_p) {
        keep = i + 1;
        break;
      }
    }
    total = 0;
    for (uint32_t i = 0; i < keep; ++i) total += probs[i];
  }
  /* 24 random bits: a uniform float in [0, 1). */
  float target = (float)(edge_random_next(rng) >> 40) / 16777216.0f * total;
  for (uint32_t i = 0; i < keep; ++i) {
    target -= probs[i];
    if (target < 0) return (int32_t)order[i].id;
  }
  return (int32_t)order[keep - 1].id;
}
