/* Internal: checking a compiled model against its weights, and calling its entry. */
#ifndef EDGE_CPU_INVOKE_H_
#define EDGE_CPU_INVOKE_H_

#include "edge/edgert.h"

/* ABI version, kind, and that the weights are the ones the code was compiled against. */
edge_status_t edge_model_check(const edge_model_desc_t *model, const edge_weights_t *weights,
                               uint32_t kind);

/* Calls model->run with memref descriptors for the weights, the attention context (causal
 * LMs only; NULL for graphs), the inputs and the outputs. Shapes must be checked already. */
edge_status_t edge_model_invoke(const edge_model_desc_t *model, const edge_weights_t *weights,
                                void *attention_context, const edge_tensor_t *inputs,
                                edge_tensor_t *outputs);

/* The same with the weights' data given as an address and size (device addresses for
 * Vulkan models, see runtime/vulkan), and the attention context's size in bytes (the KV
 * arena of Vulkan models, edge/model_abi.h; unused by the CPU kernel). */
edge_status_t edge_model_invoke_at(const edge_model_desc_t *model, const void *weights_data,
                                   uint64_t weights_size, void *attention_context,
                                   uint64_t context_bytes, const edge_tensor_t *inputs,
                                   edge_tensor_t *outputs);

#endif /* EDGE_CPU_INVOKE_H_ */
