/* Internal: calling a compiled model's entry point (edge_model_desc_t.run). */
#ifndef EDGE_ABI_ENTRY_CALL_H_
#define EDGE_ABI_ENTRY_CALL_H_

#include <stdint.h>

#include "edge/codegen_abi.h"
#include "edge/edgert.h"

/*
 * Calls model->run with one memref descriptor per argument (edge/model_abi.h): the weights'
 * data at `weights_data` (host memory for the CPU backend, device addresses for Vulkan's),
 * the attention context (causal LMs only; NULL for graphs) of `context_bytes`, the inputs
 * and the outputs, then the backend's import table for the run. Shapes must be checked
 * already. INTERNAL when the entry fails. Allocates nothing for models of up to 16
 * arguments (every causal LM).
 */
edge_status_t edge_entry_call(const edge_model_desc_t *model, const void *weights_data,
                              uint64_t weights_size, void *attention_context, uint64_t context_bytes,
                              const edge_tensor_t *inputs, edge_tensor_t *outputs,
                              const edge_model_imports_t *imports);

#endif /* EDGE_ABI_ENTRY_CALL_H_ */
