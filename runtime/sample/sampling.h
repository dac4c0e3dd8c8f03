/* Internal: choosing the next token from a row of logits. */
#ifndef EDGE_LM_SAMPLING_H_
#define EDGE_LM_SAMPLING_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/lm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64: small, seedable, the same sequence on every platform. */
uint64_t edge_random_next(uint64_t *state);

/*
 * Picks a token from `logits` (vocab entries, modified in place). `history` (count ids)
 * feeds the repetition penalty; `scratch` holds 3 * vocab floats of working space.
 */
int32_t edge_sample(float *logits, uint32_t vocab, const edge_sampling_t *sampling,
                    const int32_t *history, uint32_t count, uint64_t *rng, float *scratch);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LM_SAMPLING_H_ */
