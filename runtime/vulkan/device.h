/* Internal: one Vulkan device with a compute queue, and buffers in its memory. */
#ifndef EDGE_VULKAN_DEVICE_H_
#define EDGE_VULKAN_DEVICE_H_

#include <vulkan/vulkan.h>

#include "edge/edgert.h"

typedef struct edge_vk_device_t {
  VkInstance instance;
  VkPhysicalDevice physical;
  VkPhysicalDeviceProperties properties;
  VkDevice device;
  VkQueue queue;
  uint32_t queue_family;
  uint32_t memory_type; /* host-visible and coherent, device-local when there is one */
  VkCommandPool command_pool;
} edge_vk_device_t;

/* A status for a failed Vulkan call (`what` names it), or NULL for VK_SUCCESS. */
edge_status_t edge_vk_check(VkResult result, const char *what);

/* See edge_vk_graph_create for `name`; `require_int64`: the device must offer shaderInt64
 * (enabled when so). On failure nothing is left open. */
edge_status_t edge_vk_device_open(const char *name, int require_int64, edge_vk_device_t *out);
void edge_vk_device_close(edge_vk_device_t *device);

/*
 * A storage buffer in host-visible, coherent memory, mapped for its whole life: uploads
 * and downloads are memcpy (phones' GPUs share memory with the CPU; lavapipe is the CPU).
 */
typedef struct edge_vk_buffer_t {
  VkBuffer buffer;
  VkDeviceMemory memory;
  void *mapped;
  uint64_t size;
} edge_vk_buffer_t;

/* `bytes` may be 0 (a 16-byte buffer is made: Vulkan has no empty buffers). */
edge_status_t edge_vk_buffer_create(const edge_vk_device_t *device, uint64_t bytes,
                                    edge_vk_buffer_t *out);
void edge_vk_buffer_destroy(const edge_vk_device_t *device, edge_vk_buffer_t *buffer);

#endif /* EDGE_VULKAN_DEVICE_H_ */
