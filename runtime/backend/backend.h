/*
 * Internal: a backend runs compiled models on one kind of processor (runtime/cpu,
 * runtime/vulkan). The graph and LM front doors (runtime/graph, runtime/sched) validate
 * what callers give them and schedule LM steps; they reach the processor only through
 * this table, picked once per model by edge_backend_for_model (runtime/backend/registry.c).
 */
#ifndef EDGE_BACKEND_BACKEND_H_
#define EDGE_BACKEND_BACKEND_H_

#include <stdint.h>

#include "abi/attention_batch.h"
#include "edge/edgert.h"
#include "edge/kv_cache.h"

/* One model bound to its weights on a backend. Each backend completes the struct in its
 * own source file; the front doors only hold the pointer. */
typedef struct edge_backend_instance_s edge_backend_instance_t;

/* What a causal LM's instance is sized for. */
typedef struct edge_backend_lm_params_t {
  edge_kv_layout_t layout;  /* from the model's edge_lm_desc_t */
  edge_kv_options_t kv;     /* edge_lm_options_t.kv as given (0 fields: the pool's defaults) */
  uint32_t max_step_tokens; /* the most tokens one step runs */
  uint32_t max_context;     /* positions one sequence holds at most */
  uint32_t num_threads;     /* threads of a step, the caller's included; 0: the backend picks */
  uint32_t pin_threads;     /* nonzero: pin the worker threads to the fast cores */
} edge_backend_lm_params_t;

typedef struct edge_backend_t {
  /* Binds `model` (edge_model_check passed) to `weights`, on `device` (the options'
   * vulkan_device; the CPU has one). For a causal LM `lm` is not NULL and *out_pool is the
   * instance's KV cache, which the instance owns; for a graph both are NULL. */
  edge_status_t (*create)(const edge_model_desc_t *model, const edge_weights_t *weights,
                          const char *device, const edge_backend_lm_params_t *lm,
                          edge_backend_instance_t **out_instance, edge_kv_pool_t **out_pool);
  /* Runs a graph model; the front door checked every shape. Safe from several threads. */
  edge_status_t (*run)(edge_backend_instance_t *instance, const edge_tensor_t *inputs,
                       edge_tensor_t *outputs);
  /* Runs one step of a causal LM over `batch`, whose tokens' pages are reserved; the
   * caller holds the LM's lock and commits the positions afterwards. */
  edge_status_t (*step)(edge_backend_instance_t *instance, edge_attention_batch_t *batch,
                        const edge_tensor_t *inputs, edge_tensor_t *outputs);
  /* "cpu", or the device's name. */
  const char *(*device_name)(const edge_backend_instance_t *instance);
  /* Releases the instance and its KV pool (after every sequence of the pool). NULL: no-op. */
  void (*release)(edge_backend_instance_t *instance);
} edge_backend_t;

/* The backend for `model`: Vulkan when it was compiled with --target vulkan, else the CPU.
 * UNIMPLEMENTED for a Vulkan model when libedgert was built without Vulkan. */
edge_status_t edge_backend_for_model(const edge_model_desc_t *model, const edge_backend_t **out_backend);

#endif /* EDGE_BACKEND_BACKEND_H_ */
