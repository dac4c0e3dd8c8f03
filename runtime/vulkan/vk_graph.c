/*
 * Graph models compiled with --target vulkan: pipelines from the embedded SPIR-V, device
 * buffers, and the functions the generated host code calls while it records a run.
 *
 * Device addresses. The host code computes buffer addresses (views into the weights or
 * the arena, tensor offsets) with plain pointer arithmetic and hands them to
 * edge_vk_dispatch; it never dereferences them. Every device buffer therefore gets a
 * range of addresses: the weights, inputs, outputs and allocations a range of reserved,
 * inaccessible virtual memory (so no address can collide with real host memory, and a
 * stray host access faults at once); the program's constants the host addresses of the
 * constants themselves. A dispatch maps each address back to (buffer, byte offset).
 */
#define _GNU_SOURCE
#include "vulkan/vk_graph.h"
#include "edge/codegen_abi.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/entry_call.h"
#include "base/alloc.h"
#include "base/memref.h"
#include "base/status.h"
#include "io/weights_internal.h"
#include "vulkan/device.h"

typedef struct address_range_t {
  uintptr_t start;
  uint64_t size;
  edge_vk_buffer_t buffer;
  int reserved; /* start is a reservation of `reserved_size` bytes to unmap */
  uint64_t reserved_size;
} address_range_t;

typedef struct kernel_pipeline_t {
  VkShaderModule module;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
} kernel_pipeline_t;

enum { kMaxSpares = 256 };

struct edge_vk_graph_s {
  const edge_model_desc_t *model;
  const edge_weights_t *weights;
  edge_vk_device_t device;
  VkPipelineCache cache;
  kernel_pipeline_t *pipelines;
  /* Ranges [0, persistent) live with the graph (weights, constants); the rest with a run. */
  address_range_t *ranges;
  uint32_t num_ranges, capacity, persistent;
  /* Buffers of finished runs, kept for the next ones: the same shapes come back every
   * step, and a new device allocation per buffer and run costs more than small kernels
   * (scratch the memory plan cannot place, such as quantized activations sized by an
   * intermediate tensor's dims, is one buffer each). */
  address_range_t spares[kMaxSpares];
  uint32_t num_spares;
  VkDescriptorPool *pools;
  uint32_t num_pools, pool;
  VkCommandBuffer commands;
  VkFence fence;
  pthread_mutex_t lock;
  edge_status_t recording_error; /* the first failure while the host code records */
  uintptr_t weights_address;
  /* A run's inputs and outputs with device addresses for data, made once (runs are
   * serialized by `lock`). */
  edge_tensor_t *device_inputs, *device_outputs;
};

enum { kSetsPerPool = 256, kBuffersPerPool = 256 * 16 };

/* ---- address ranges ------------------------------------------------------------------ */

static edge_status_t add_range(edge_vk_graph_t *g, address_range_t range) {
  if (g->num_ranges == g->capacity) {
    uint32_t capacity = g->capacity ? 2 * g->capacity : 16;
    address_range_t *grown = edge_mem_realloc(g->ranges, capacity * sizeof(*grown));
    if (!grown) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    g->ranges = grown;
    g->capacity = capacity;
  }
  g->ranges[g->num_ranges++] = range;
  return NULL;
}

static void release_range(edge_vk_graph_t *g, address_range_t *range) {
  edge_vk_buffer_destroy(&g->device, &range->buffer);
  if (range->reserved) munmap((void *)range->start, range->reserved_size);
}

/* A spare buffer of at least `bytes` (and at most twice that: no small tensor pins a large
 * buffer), taken out of the spares; the smallest that fits. */
static int take_spare(edge_vk_graph_t *g, uint64_t bytes, address_range_t *out) {
  uint32_t best = g->num_spares;
  for (uint32_t i = 0; i < g->num_spares; ++i) {
    uint64_t size = g->spares[i].reserved_size;
    if (size >= bytes && size <= 2 * bytes + 4096 && (best == g->num_spares || size < g->spares[best].reserved_size))
      best = i;
  }
  if (best == g->num_spares) return 0;
  *out = g->spares[best];
  g->spares[best] = g->spares[--g->num_spares];
  return 1;
}

/* A device buffer of `bytes` with its own reserved addresses (a spare one when one fits);
 * `data` (if not NULL) copied in. Returns the buffer's first address. */
static edge_status_t add_device_buffer(edge_vk_graph_t *g, uint64_t bytes, const void *data, uintptr_t *out) {
  address_range_t range = {0};
  if (take_spare(g, bytes, &range)) {
    range.size = bytes;
    if (data && bytes) memcpy(range.buffer.mapped, data, bytes);
    edge_status_t status = add_range(g, range);
    if (status) release_range(g, &range);
    else *out = range.start;
    return status;
  }
  range.reserved_size = bytes ? bytes : 1;
  void *addresses = mmap(NULL, range.reserved_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (addresses == MAP_FAILED)
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "cannot reserve %llu bytes of addresses",
                            (unsigned long long)bytes);
  range.start = (uintptr_t)addresses;
  range.size = bytes;
  range.reserved = 1;
  edge_status_t status = edge_vk_buffer_create(&g->device, bytes, &range.buffer);
  if (!status && data && bytes) memcpy(range.buffer.mapped, data, bytes);
  if (!status) status = add_range(g, range);
  if (status) {
    release_range(g, &range);
    return status;
  }
  *out = range.start;
  return NULL;
}

/* The range holding `address`. Reservations may be adjacent, so one range's end can be the
 * next one's start: an address inside a range wins over one just past a range's end (which
 * only an empty view at the end of a buffer has). */
static const address_range_t *find_range(const edge_vk_graph_t *g, uintptr_t address) {
  const address_range_t *at_end = NULL;
  for (uint32_t i = 0; i < g->num_ranges; ++i) {
    const address_range_t *range = &g->ranges[i];
    if (address < range->start || address - range->start > range->size) continue;
    if (address - range->start < range->size) return range;
    if (!at_end) at_end = range;
  }
  return at_end;
}

/* Ends a run's buffers: kept as spares while there is room (`keep`), else released. */
static void release_run_ranges(edge_vk_graph_t *g, int keep) {
  for (uint32_t i = g->persistent; i < g->num_ranges; ++i) {
    if (keep && g->num_spares < kMaxSpares) g->spares[g->num_spares++] = g->ranges[i];
    else release_range(g, &g->ranges[i]);
  }
  g->num_ranges = g->persistent;
}

/* ---- pipelines ----------------------------------------------------------------------- */

static edge_status_t create_pipeline(edge_vk_graph_t *g, const edge_vk_kernel_t *kernel, kernel_pipeline_t *p) {
  VkDevice device = g->device.device;
  if (kernel->num_push_constants > 32 || kernel->num_bindings > kernel->num_push_constants)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "kernel %s: %u push constants for %u buffers (max 32)",
                            kernel->entry_point, kernel->num_push_constants, kernel->num_bindings);
  if (kernel->num_push_constants * 4 > g->device.properties.limits.maxPushConstantsSize)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "kernel %s needs %u bytes of push constants; the device has %u",
                            kernel->entry_point, kernel->num_push_constants * 4,
                            g->device.properties.limits.maxPushConstantsSize);
  VkShaderModuleCreateInfo module_info = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                          .codeSize = (size_t)kernel->spirv_words * 4, .pCode = kernel->spirv};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreateShaderModule(device, &module_info, NULL, &p->module), "vkCreateShaderModule"));
  VkDescriptorSetLayoutBinding bindings[64];
  if (kernel->num_bindings > 64)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "kernel %s has %u buffers (max 64)", kernel->entry_point,
                            kernel->num_bindings);
  for (uint32_t b = 0; b < kernel->num_bindings; ++b)
    bindings[b] = (VkDescriptorSetLayoutBinding){.binding = b, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                 .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
  VkDescriptorSetLayoutCreateInfo set_info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                              .bindingCount = kernel->num_bindings, .pBindings = bindings};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreateDescriptorSetLayout(device, &set_info, NULL, &p->set_layout),
                                     "vkCreateDescriptorSetLayout"));
  VkPushConstantRange push = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = kernel->num_push_constants * 4};
  VkPipelineLayoutCreateInfo layout_info = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                            .pSetLayouts = &p->set_layout,
                                            .pushConstantRangeCount = kernel->num_push_constants ? 1 : 0,
                                            .pPushConstantRanges = &push};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreatePipelineLayout(device, &layout_info, NULL, &p->layout), "vkCreatePipelineLayout"));
  VkComputePipelineCreateInfo pipeline_info = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = p->module, .pName = kernel->entry_point},
      .layout = p->layout};
  return edge_vk_check(vkCreateComputePipelines(device, g->cache, 1, &pipeline_info, NULL, &p->pipeline),
                       "vkCreateComputePipelines");
}

static void destroy_pipeline(VkDevice device, kernel_pipeline_t *p) {
  if (p->pipeline) vkDestroyPipeline(device, p->pipeline, NULL);
  if (p->layout) vkDestroyPipelineLayout(device, p->layout, NULL);
  if (p->set_layout) vkDestroyDescriptorSetLayout(device, p->set_layout, NULL);
  if (p->module) vkDestroyShaderModule(device, p->module, NULL);
}

/* ---- graph --------------------------------------------------------------------------- */

static edge_status_t setup(edge_vk_graph_t *g, const char *device_name) {
  const edge_vk_program_t *program = g->model->vulkan;
  EDGE_RETURN_IF_ERROR(edge_vk_device_open(device_name, (program->required_features & EDGE_VK_REQUIRES_INT64) != 0,
                                           &g->device));
  VkDevice device = g->device.device;
  VkPipelineCacheCreateInfo cache_info = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreatePipelineCache(device, &cache_info, NULL, &g->cache), "vkCreatePipelineCache"));
  g->pipelines = edge_mem_calloc(program->num_kernels ? program->num_kernels : 1, sizeof(*g->pipelines));
  g->device_inputs = edge_mem_calloc(g->model->num_inputs + 1, sizeof(*g->device_inputs));
  g->device_outputs = edge_mem_calloc(g->model->num_outputs + 1, sizeof(*g->device_outputs));
  if (!g->pipelines || !g->device_inputs || !g->device_outputs)
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t k = 0; k < program->num_kernels; ++k)
    EDGE_RETURN_IF_ERROR(create_pipeline(g, &program->kernels[k], &g->pipelines[k]));

  EDGE_RETURN_IF_ERROR(add_device_buffer(g, g->weights->header->data_size, NULL, &g->weights_address));
  edge_weights_copy_data(g->weights, g->ranges[g->num_ranges - 1].buffer.mapped);
  for (uint32_t c = 0; c < program->num_constants; ++c) {
    const edge_vk_constant_t *constant = &program->constants[c];
    address_range_t range = {.start = (uintptr_t)constant->data, .size = constant->bytes};
    EDGE_RETURN_IF_ERROR(edge_vk_buffer_create(&g->device, constant->bytes, &range.buffer));
    memcpy(range.buffer.mapped, constant->data, constant->bytes);
    edge_status_t status = add_range(g, range);
    if (status) {
      edge_vk_buffer_destroy(&g->device, &range.buffer);
      return status;
    }
  }
  g->persistent = g->num_ranges;

  VkCommandBufferAllocateInfo command_info = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                              .commandPool = g->device.command_pool,
                                              .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkAllocateCommandBuffers(device, &command_info, &g->commands), "vkAllocateCommandBuffers"));
  VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  return edge_vk_check(vkCreateFence(device, &fence_info, NULL, &g->fence), "vkCreateFence");
}

edge_status_t edge_vk_graph_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                                   const char *device, edge_vk_graph_t **out) {
  *out = NULL;
  edge_vk_graph_t *g = edge_mem_calloc(1, sizeof(*g));
  if (!g) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  g->model = model;
  g->weights = weights;
  pthread_mutex_init(&g->lock, NULL);
  edge_status_t status = setup(g, device);
  if (status) {
    edge_vk_graph_release(g);
    return status;
  }
  *out = g;
  return NULL;
}

void edge_vk_graph_release(edge_vk_graph_t *g) {
  if (!g) return;
  VkDevice device = g->device.device;
  if (device) {
    vkDeviceWaitIdle(device);
    g->persistent = 0;
    release_run_ranges(g, 0);
    for (uint32_t i = 0; i < g->num_spares; ++i) release_range(g, &g->spares[i]);
    if (g->pipelines)
      for (uint32_t k = 0; k < g->model->vulkan->num_kernels; ++k) destroy_pipeline(device, &g->pipelines[k]);
    for (uint32_t p = 0; p < g->num_pools; ++p) vkDestroyDescriptorPool(device, g->pools[p], NULL);
    if (g->cache) vkDestroyPipelineCache(device, g->cache, NULL);
    if (g->fence) vkDestroyFence(device, g->fence, NULL);
    if (g->commands) vkFreeCommandBuffers(device, g->device.command_pool, 1, &g->commands);
  }
  edge_vk_device_close(&g->device);
  pthread_mutex_destroy(&g->lock);
  edge_mem_free(g->pipelines);
  edge_mem_free(g->device_inputs);
  edge_mem_free(g->device_outputs);
  edge_mem_free(g->ranges);
  edge_mem_free(g->pools);
  edge_mem_free(g);
}

const char *edge_vk_graph_device_name(const edge_vk_graph_t *g) { return g->device.properties.deviceName; }

uint64_t edge_vk_graph_max_buffer_range(const edge_vk_graph_t *g) {
  return g->device.properties.limits.maxStorageBufferRange;
}

/* A descriptor set for `layout` from the run's pools (a new pool when they are full). */
static edge_status_t allocate_set(edge_vk_graph_t *g, VkDescriptorSetLayout layout, VkDescriptorSet *out) {
  for (;;) {
    if (g->pool == g->num_pools) {
      VkDescriptorPool *grown = edge_mem_realloc(g->pools, (g->num_pools + 1) * sizeof(*grown));
      if (!grown) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
      g->pools = grown;
      VkDescriptorPoolSize size = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = kBuffersPerPool};
      VkDescriptorPoolCreateInfo info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                         .maxSets = kSetsPerPool, .poolSizeCount = 1, .pPoolSizes = &size};
      EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreateDescriptorPool(g->device.device, &info, NULL, &g->pools[g->num_pools]),
                                         "vkCreateDescriptorPool"));
      g->num_pools++;
    }
    VkDescriptorSetAllocateInfo info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = g->pools[g->pool], .descriptorSetCount = 1,
                                        .pSetLayouts = &layout};
    VkResult result = vkAllocateDescriptorSets(g->device.device, &info, out);
    if (result == VK_SUCCESS) return NULL;
    if (result != VK_ERROR_OUT_OF_POOL_MEMORY && result != VK_ERROR_FRAGMENTED_POOL)
      return edge_vk_check(result, "vkAllocateDescriptorSets");
    g->pool++;
  }
}

static edge_status_t record_dispatch(edge_vk_graph_t *g, int32_t index, const int64_t groups[3],
                                     const int64_t *addresses, int64_t num_addresses, const int64_t *scalars,
                                     int64_t num_scalars) {
  const edge_vk_program_t *program = g->model->vulkan;
  if (index < 0 || (uint32_t)index >= program->num_kernels)
    return edge_make_status(EDGE_STATUS_INTERNAL, "dispatch of kernel %d; the model has %u", index, program->num_kernels);
  const edge_vk_kernel_t *kernel = &program->kernels[index];
  const kernel_pipeline_t *pipeline = &g->pipelines[index];
  if (num_addresses != kernel->num_bindings || num_addresses + num_scalars != kernel->num_push_constants)
    return edge_make_status(EDGE_STATUS_INTERNAL, "kernel %s: dispatch passes %lld buffers and %lld scalars",
                            kernel->entry_point, (long long)num_addresses, (long long)num_scalars);
  const VkPhysicalDeviceLimits *limits = &g->device.properties.limits;
  for (int d = 0; d < 3; ++d)
    if (groups[d] < 0 || groups[d] > limits->maxComputeWorkGroupCount[d])
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "kernel %s needs %lld workgroups in dim %d; the device allows %u",
                              kernel->entry_point, (long long)groups[d], d, limits->maxComputeWorkGroupCount[d]);

  uint32_t push[32]; /* at most 32 words: checked when the pipeline was created */
  VkDescriptorBufferInfo buffers[64];
  VkWriteDescriptorSet writes[64];
  VkDescriptorSet set;
  EDGE_RETURN_IF_ERROR(allocate_set(g, pipeline->set_layout, &set));
  for (uint32_t b = 0; b < kernel->num_bindings; ++b) {
    const address_range_t *range = find_range(g, (uintptr_t)addresses[b]);
    if (!range)
      return edge_make_status(EDGE_STATUS_INTERNAL, "kernel %s: buffer %u at %#llx is no device buffer",
                              kernel->entry_point, b, (unsigned long long)addresses[b]);
    uint64_t offset = (uint64_t)addresses[b] - range->start;
    uint64_t aligned = offset - offset % limits->minStorageBufferOffsetAlignment;
    uint32_t element = kernel->binding_element_bytes[b];
    if ((offset - aligned) % element != 0)
      return edge_make_status(EDGE_STATUS_INTERNAL, "kernel %s: buffer %u is not aligned to its elements",
                              kernel->entry_point, b);
    uint64_t bytes = range->buffer.size - aligned;
    if (bytes > limits->maxStorageBufferRange) bytes = limits->maxStorageBufferRange;
    push[b] = (uint32_t)((offset - aligned) / element);
    buffers[b] = (VkDescriptorBufferInfo){.buffer = range->buffer.buffer, .offset = aligned, .range = bytes};
    writes[b] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = b,
                                       .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                       .pBufferInfo = &buffers[b]};
  }
  for (int64_t s = 0; s < num_scalars; ++s) {
    if (scalars[s] < INT32_MIN || scalars[s] > (int64_t)UINT32_MAX)
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "kernel %s: scalar %lld does not fit in 32 bits",
                              kernel->entry_point, (long long)scalars[s]);
    push[kernel->num_bindings + s] = (uint32_t)scalars[s];
  }
  vkUpdateDescriptorSets(g->device.device, kernel->num_bindings, writes, 0, NULL);
  vkCmdBindPipeline(g->commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->pipeline);
  vkCmdBindDescriptorSets(g->commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->layout, 0, 1, &set, 0, NULL);
  if (kernel->num_push_constants)
    vkCmdPushConstants(g->commands, pipeline->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, kernel->num_push_constants * 4, push);
  vkCmdDispatch(g->commands, (uint32_t)groups[0], (uint32_t)groups[1], (uint32_t)groups[2]);
  /* Kernels run in order: each one's writes are visible to the next. */
  VkMemoryBarrier barrier = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                             .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
  vkCmdPipelineBarrier(g->commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                       &barrier, 0, NULL, 0, NULL);
  return NULL;
}

/* The import table's callbacks (below); a run's context is its graph. */
static void vk_dispatch(void *context, int32_t kernel, int64_t groups_x, int64_t groups_y, int64_t groups_z,
                        const void *addresses_desc, const void *scalars_desc);
static void *vk_alloc(void *context, uint64_t alignment, uint64_t bytes);
static void vk_free(void *context, void *address);

static edge_status_t run_locked(edge_vk_graph_t *g, uintptr_t context, uint64_t context_bytes,
                                const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  const edge_model_desc_t *model = g->model;
  edge_tensor_t *device_inputs = g->device_inputs, *device_outputs = g->device_outputs;
  edge_status_t status = NULL;
  for (uint32_t i = 0; !status && i < model->num_inputs; ++i) {
    uintptr_t address;
    device_inputs[i] = inputs[i];
    uint64_t bytes = (uint64_t)edge_tensor_element_count(&inputs[i]) * edge_dtype_size(inputs[i].dtype);
    status = add_device_buffer(g, bytes, inputs[i].data, &address);
    device_inputs[i].data = (void *)address;
  }
  for (uint32_t i = 0; !status && i < model->num_outputs; ++i) {
    uintptr_t address;
    device_outputs[i] = outputs[i];
    uint64_t bytes = (uint64_t)edge_tensor_element_count(&outputs[i]) * edge_dtype_size(outputs[i].dtype);
    status = add_device_buffer(g, bytes, NULL, &address);
    device_outputs[i].data = (void *)address;
  }
  VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                    .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
  if (!status) status = edge_vk_check(vkBeginCommandBuffer(g->commands, &begin), "vkBeginCommandBuffer");
  if (!status) {
    g->recording_error = NULL;
    const edge_model_imports_t imports = {
        .context = g, .alloc = vk_alloc, .free = vk_free, .paged_attention = NULL, .vk_dispatch = vk_dispatch};
    status = edge_entry_call(model, (const void *)g->weights_address, g->weights->header->data_size,
                             (void *)context, context_bytes, device_inputs, device_outputs, &imports);
    if (g->recording_error) {
      edge_status_free(status);
      status = g->recording_error;
      g->recording_error = NULL;
    }
    /* The outputs are read by the host once the queue is done. */
    VkMemoryBarrier barrier = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                               .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(g->commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier,
                         0, NULL, 0, NULL);
    edge_status_t ended = edge_vk_check(vkEndCommandBuffer(g->commands), "vkEndCommandBuffer");
    if (!status) status = ended;
    else edge_status_free(ended);
  }
  if (!status) {
    VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &g->commands};
    status = edge_vk_check(vkQueueSubmit(g->device.queue, 1, &submit, g->fence), "vkQueueSubmit");
    if (!status) status = edge_vk_check(vkWaitForFences(g->device.device, 1, &g->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    vkResetFences(g->device.device, 1, &g->fence);
  }
  for (uint32_t i = 0; !status && i < model->num_outputs; ++i) {
    const address_range_t *range = find_range(g, (uintptr_t)device_outputs[i].data);
    uint64_t bytes = (uint64_t)edge_tensor_element_count(&outputs[i]) * edge_dtype_size(outputs[i].dtype);
    if (!range) status = edge_make_status(EDGE_STATUS_INTERNAL, "output %u lost its device buffer", i);
    else if (bytes) memcpy(outputs[i].data, range->buffer.mapped, bytes);
  }
  vkResetCommandBuffer(g->commands, 0);
  for (uint32_t p = 0; p < g->num_pools; ++p) vkResetDescriptorPool(g->device.device, g->pools[p], 0);
  g->pool = 0;
  release_run_ranges(g, 1);
  return status;
}

edge_status_t edge_vk_graph_run(edge_vk_graph_t *g, const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  return edge_vk_graph_run_with_context(g, 0, 0, inputs, outputs);
}

edge_status_t edge_vk_graph_run_with_context(edge_vk_graph_t *g, uintptr_t context, uint64_t context_bytes,
                                             const edge_tensor_t *inputs, edge_tensor_t *outputs) {
  pthread_mutex_lock(&g->lock);
  edge_status_t status = run_locked(g, context, context_bytes, inputs, outputs);
  pthread_mutex_unlock(&g->lock);
  return status;
}

edge_status_t edge_vk_graph_add_buffer(edge_vk_graph_t *g, uint64_t bytes, void **out_mapped, uintptr_t *out_address) {
  pthread_mutex_lock(&g->lock);
  /* Outside runs every range is persistent: the new one joins them. */
  edge_status_t status = add_device_buffer(g, bytes, NULL, out_address);
  if (!status) {
    g->persistent = g->num_ranges;
    *out_mapped = g->ranges[g->num_ranges - 1].buffer.mapped;
  }
  pthread_mutex_unlock(&g->lock);
  return status;
}

/* ---- the import table of a run: what the generated host code calls ------------------- */

EDGE_MEMREF_DESCRIPTOR(edge_vk_words_t, int64_t, 1);

static void vk_dispatch(void *context, int32_t kernel, int64_t groups_x, int64_t groups_y, int64_t groups_z,
                        const void *addresses_desc, const void *scalars_desc) {
  edge_vk_graph_t *g = context;
  const edge_vk_words_t *addresses = addresses_desc, *scalars = scalars_desc;
  if (g->recording_error) return;
  const int64_t groups[3] = {groups_x, groups_y, groups_z};
  g->recording_error = record_dispatch(g, kernel, groups, addresses->aligned + addresses->offset, addresses->sizes[0],
                                       scalars->aligned + scalars->offset, scalars->sizes[0]);
}

/* The host code's allocations are device buffers, known to it by address only. */
static void *vk_alloc(void *context, uint64_t alignment, uint64_t bytes) {
  (void)alignment; /* reservations are page-aligned */
  edge_vk_graph_t *g = context;
  if (g->recording_error) return NULL;
  uintptr_t address = 0;
  g->recording_error = add_device_buffer(g, bytes, NULL, &address);
  return (void *)address;
}

/* Buffers of a run live until its commands completed; the run releases them. */
static void vk_free(void *context, void *address) {
  (void)context;
  (void)address;
}
