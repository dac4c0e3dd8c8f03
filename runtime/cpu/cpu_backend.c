/*
 * The CPU backend: the generated code runs on the calling thread over the mmapped weights;
 * causal LMs keep their KV cache in host memory, and the generated code calls the
 * runtime's attention kernel (paged_attention.c) on the backend's threads.
 */
#include "cpu/cpu_backend.h"

#include <stdlib.h>

#include "abi/entry_call.h"
#include "base/alloc.h"
#include "base/status.h"
#include "cpu/cpu_cores.h"
#include "cpu/paged_attention.h"
#include "cpu/thread_pool.h"
#include "io/weights_internal.h"

/* The generated code's allocations: the C heap (alignment rounds the size up, as
 * aligned_alloc requires). */
static void *cpu_alloc(void *context, uint64_t alignment, uint64_t bytes) {
  (void)context;
  /* A 32-bit target cannot hold what does not fit its size_t: fail as malloc would. */
  if (bytes > SIZE_MAX - alignment) return NULL;
  if (alignment <= sizeof(void *)) return edge_mem_alloc(bytes ? bytes : 1);
  return edge_mem_aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
}

static void cpu_free(void *context, void *pointer) {
  (void)context;
  edge_mem_free(pointer);
}

/* parallel_for on the instance's thread pool (the import table's context). */
typedef struct forward_t {
  void (*fn)(void *args, int64_t item);
  void *args;
} forward_t;

static void forward_item(void *raw, int64_t item, uint32_t worker) {
  (void)worker;
  const forward_t *forward = (const forward_t *)raw;
  forward->fn(forward->args, item);
}

static void cpu_parallel_for(void *context, int64_t count, void (*fn)(void *args, int64_t item), void *args) {
  forward_t forward = {fn, args};
  edge_thread_pool_run((edge_thread_pool_t *)context, count, forward_item, &forward);
}

/* What CPU code calls; it needs no per-run state (a step's is in its attention batch).
 * Graphs run on the calling thread (several may run one graph at once); an LM's steps,
 * which its lock serializes, also use its thread pool. */
static const edge_model_imports_t kCpuImports = {
    .context = NULL,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .paged_attention = edge_cpu_paged_attention,
    .vk_dispatch = NULL,
    .parallel_for = NULL,
};

struct edge_backend_instance_s {
  const edge_model_desc_t *model;
  const edge_weights_t *weights;
  /* Causal LMs only: */
  edge_kv_pool_t *pool;
  edge_thread_pool_t *threads;
  edge_attention_scratch_t scratch;
  edge_model_imports_t step_imports; /* kCpuImports with parallel_for on `threads` */
};

static void cpu_release(edge_backend_instance_t *cpu) {
  if (!cpu) return;
  edge_kv_pool_release(cpu->pool);
  edge_thread_pool_release(cpu->threads);
  edge_mem_free(cpu->scratch.data);
  edge_mem_free(cpu);
}

static edge_status_t cpu_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                                const char *device, const edge_backend_lm_params_t *lm,
                                edge_backend_instance_t **out_instance, edge_kv_pool_t **out_pool) {
  (void)device; /* the CPU is the one device */
  *out_instance = NULL;
  if (out_pool) *out_pool = NULL;
  edge_backend_instance_t *cpu = edge_mem_calloc(1, sizeof(*cpu));
  if (!cpu) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  cpu->model = model;
  cpu->weights = weights;
  edge_status_t status = NULL;
  if (lm) {
    status = edge_kv_pool_create(&lm->layout, &lm->kv, &cpu->pool);
    if (!status) status = edge_thread_pool_create(lm->num_threads ? lm->num_threads : edge_cpu_fast_cores(), &cpu->threads);
    if (!status && lm->pin_threads) {
      int cores[64];
      status = edge_thread_pool_pin(cpu->threads, cores, edge_cpu_fast_core_ids(cores, 64));
    }
    cpu->step_imports = kCpuImports;
    cpu->step_imports.context = cpu->threads;
    cpu->step_imports.parallel_for = cpu_parallel_for;
    uint32_t window = lm->kv.sliding_window;
    cpu->scratch.max_span = window && window < lm->max_context ? window : lm->max_context;
  }
  if (status) {
    cpu_release(cpu);
    return status;
  }
  if (out_pool) *out_pool = cpu->pool;
  *out_instance = cpu;
  return NULL;
}

static edge_status_t cpu_run(edge_backend_instance_t *cpu, const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  return edge_entry_call(cpu->model, cpu->weights->data, cpu->weights->header->data_size, NULL, 0, inputs,
                         outputs, &kCpuImports);
}

static edge_status_t cpu_step(edge_backend_instance_t *cpu, edge_attention_batch_t *batch,
                              const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  batch->threads = cpu->threads;
  batch->scratch = &cpu->scratch;
  edge_status_t status = edge_entry_call(cpu->model, cpu->weights->data, cpu->weights->header->data_size, batch,
                                         sizeof(*batch), inputs, outputs, &cpu->step_imports);
  if (!status && batch->error)
    status = edge_make_status(EDGE_STATUS_INTERNAL, "paged attention failed (code %d) at token %lld of the step",
                              batch->error, (long long)batch->error_token);
  return status;
}

static const char *cpu_device_name(const edge_backend_instance_t *cpu) {
  (void)cpu;
  return "cpu";
}

const edge_backend_t edge_cpu_backend = {
    .create = cpu_create,
    .run = cpu_run,
    .step = cpu_step,
    .device_name = cpu_device_name,
    .release = cpu_release,
};
