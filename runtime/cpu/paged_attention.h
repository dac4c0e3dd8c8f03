/* Internal: the CPU's paged-attention kernel, the import table's paged_attention. */
#ifndef EDGE_CPU_PAGED_ATTENTION_H_
#define EDGE_CPU_PAGED_ATTENTION_H_

#include <stdint.h>

/*
 * One layer of a step (edge_model_imports_t.paged_attention): `attention_context` is the
 * i8 memref descriptor of the step's edge_attention_batch_t, q [1, heads, tokens, dim],
 * k and v [1, kv_heads, tokens, dim] and out [1, heads, tokens, dim] f32 descriptors.
 * Stores the tokens' keys and values in their pages, then attends; a failure is recorded
 * in the batch (error, error_token) and the rest of the step's layers do nothing.
 */
void edge_cpu_paged_attention(void *imports_context, void *attention_context, void *q, void *k, void *v, void *out,
                              int64_t layer, float scale);

#endif /* EDGE_CPU_PAGED_ATTENTION_H_ */
