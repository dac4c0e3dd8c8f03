/* Internal: running a model compiled with --target vulkan (see model_abi.h). */
#ifndef EDGE_VULKAN_VK_GRAPH_H_
#define EDGE_VULKAN_VK_GRAPH_H_

#include <stdint.h>

#include "edge/edgert.h"

typedef struct edge_vk_graph_s edge_vk_graph_t;

/* Opens the Vulkan device named by `device` (an index into the device list, or a
 * substring of a device's name; NULL or "": $EDGE_VULKAN_DEVICE, else the first discrete,
 * then integrated, then any device), uploads the weights and the program's constants
 * once, and creates one compute pipeline per kernel. */
edge_status_t edge_vk_graph_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                                   const char *device, edge_vk_graph_t **out);
void edge_vk_graph_release(edge_vk_graph_t *graph);

/* Uploads the inputs, records the model's dispatches, submits them, waits, and downloads
 * the outputs. Shapes must be checked already. Safe to call from several threads (runs
 * are serialized). */
edge_status_t edge_vk_graph_run(edge_vk_graph_t *graph, const edge_tensor_t *inputs,
                                edge_tensor_t *outputs);

/* As edge_vk_graph_run, with an attention context for the model's entry: the address of
 * a buffer from edge_vk_graph_add_buffer (0: none) and its size in bytes. */
edge_status_t edge_vk_graph_run_with_context(edge_vk_graph_t *graph, uintptr_t context, uint64_t context_bytes,
                                             const edge_tensor_t *inputs, edge_tensor_t *outputs);

/* A device buffer of `bytes` living as long as the graph, mapped at *out_mapped for the
 * host (runs must not be in flight while the host touches it), contents undefined (not
 * written here: memory a driver commits lazily stays uncommitted until used);
 * *out_address: the address the generated code knows it by. */
edge_status_t edge_vk_graph_add_buffer(edge_vk_graph_t *graph, uint64_t bytes, void **out_mapped,
                                       uintptr_t *out_address);

/* The name of the device a graph runs on. */
const char *edge_vk_graph_device_name(const edge_vk_graph_t *graph);

/* The most bytes one kernel binding may cover on the graph's device. */
uint64_t edge_vk_graph_max_buffer_range(const edge_vk_graph_t *graph);

#endif /* EDGE_VULKAN_VK_GRAPH_H_ */
