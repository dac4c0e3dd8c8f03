/* Internal: the device side of a causal LM compiled with --target vulkan (see edge/lm.h). */
#ifndef EDGE_VULKAN_VK_LM_H_
#define EDGE_VULKAN_VK_LM_H_

#include <stdint.h>

#include "abi/attention_batch.h"
#include "edge/edgert.h"
#include "edge/kv_cache.h"

typedef struct edge_vk_lm_s edge_vk_lm_t;

/*
 * Opens the device (`device` as for edge_vk_graph_create), uploads the weights, and makes
 * the KV arena (edge/model_abi.h): one device buffer for the step records of up to
 * `max_step_tokens` tokens of at most `max_context` positions and for the pages of the
 * KV budget in `kv`. *out_pool is the KV pool over the arena's pages; release it before
 * the lm. UNIMPLEMENTED for f16 rows of an odd head_dim, int8 rows of one not a multiple
 * of 4 (rows must be whole 32-bit words).
 */
edge_status_t edge_vk_lm_create(const edge_model_desc_t *model, const edge_weights_t *weights, const char *device,
                                const edge_kv_layout_t *layout, const edge_kv_options_t *kv,
                                uint32_t max_step_tokens, uint32_t max_context, edge_vk_lm_t **out_lm,
                                edge_kv_pool_t **out_pool);
void edge_vk_lm_release(edge_vk_lm_t *lm);

/* One step: the batch's token records and page tables into the arena, then the model on
 * the device. INTERNAL when a token would read a position without a page, or the step's
 * records do not fit (nothing runs then). */
edge_status_t edge_vk_lm_run(edge_vk_lm_t *lm, const edge_attention_batch_t *batch, const edge_tensor_t *inputs,
                             edge_tensor_t *outputs);

const char *edge_vk_lm_device_name(const edge_vk_lm_t *lm);

#endif /* EDGE_VULKAN_VK_LM_H_ */
