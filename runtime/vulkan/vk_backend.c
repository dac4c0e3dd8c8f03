/* The Vulkan backend: graphs run as an edge_vk_graph_t, causal LMs as an edge_vk_lm_t
 * whose KV pool lives in the device's KV arena. */
#include "vulkan/vk_backend.h"

#include <stdlib.h>

#include "base/alloc.h"
#include "base/status.h"
#include "vulkan/vk_graph.h"
#include "vulkan/vk_lm.h"

struct edge_backend_instance_s {
  edge_vk_graph_t *graph; /* graph models */
  edge_vk_lm_t *lm;       /* causal LMs */
  edge_kv_pool_t *pool;   /* causal LMs: over the lm's arena */
};

static void vk_release(edge_backend_instance_t *vk) {
  if (!vk) return;
  edge_kv_pool_release(vk->pool); /* before the arena its pages live in */
  edge_vk_lm_release(vk->lm);
  edge_vk_graph_release(vk->graph);
  edge_mem_free(vk);
}

static edge_status_t vk_create(const edge_model_desc_t *model, const edge_weights_t *weights, const char *device,
                               const edge_backend_lm_params_t *lm, edge_backend_instance_t **out_instance,
                               edge_kv_pool_t **out_pool) {
  *out_instance = NULL;
  if (out_pool) *out_pool = NULL;
  edge_backend_instance_t *vk = edge_mem_calloc(1, sizeof(*vk));
  if (!vk) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  edge_status_t status =
      lm ? edge_vk_lm_create(model, weights, device, &lm->layout, &lm->kv, lm->max_step_tokens, lm->max_context,
                             &vk->lm, &vk->pool)
         : edge_vk_graph_create(model, weights, device, &vk->graph);
  if (status) {
    vk_release(vk);
    return status;
  }
  if (out_pool) *out_pool = vk->pool;
  *out_instance = vk;
  return NULL;
}

static edge_status_t vk_run(edge_backend_instance_t *vk, const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  return edge_vk_graph_run(vk->graph, inputs, outputs);
}

static edge_status_t vk_step(edge_backend_instance_t *vk, edge_attention_batch_t *batch, const edge_tensor_t *inputs,
                             edge_tensor_t *outputs) {
  return edge_vk_lm_run(vk->lm, batch, inputs, outputs);
}

static const char *vk_device_name(const edge_backend_instance_t *vk) {
  return vk->lm ? edge_vk_lm_device_name(vk->lm) : edge_vk_graph_device_name(vk->graph);
}

const edge_backend_t edge_vulkan_backend = {
    .create = vk_create,
    .run = vk_run,
    .step = vk_step,
    .device_name = vk_device_name,
    .release = vk_release,
};
