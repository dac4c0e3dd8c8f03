/* Vulkan instance, device selection, compute queue, and buffers. */
#include "vulkan/device.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/status.h"

edge_status_t edge_vk_check(VkResult result, const char *what) {
  switch (result) {
  case VK_SUCCESS:
    return NULL;
  case VK_ERROR_OUT_OF_HOST_MEMORY:
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "Vulkan: %s: out of host memory", what);
  case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "Vulkan: %s: out of device memory", what);
  case VK_ERROR_DEVICE_LOST:
    return edge_make_status(EDGE_STATUS_INTERNAL, "Vulkan: %s: device lost", what);
  case VK_ERROR_INITIALIZATION_FAILED:
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "Vulkan: %s: initialization failed", what);
  case VK_ERROR_INCOMPATIBLE_DRIVER:
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION,
                            "Vulkan: %s: no driver supports Vulkan 1.1", what);
  default:
    return edge_make_status(EDGE_STATUS_INTERNAL, "Vulkan: %s failed (VkResult %d)", what, (int)result);
  }
}

static int is_index(const char *text) {
  if (!*text) return 0;
  for (const char *c = text; *c; ++c)
    if (!isdigit((unsigned char)*c)) return 0;
  return 1;
}

/* Discrete GPUs first, then integrated, virtual, CPU (lavapipe), other. */
static int device_rank(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
  case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
  default: return 4;
  }
}

static edge_status_t pick_physical_device(VkInstance instance, const char *name,
                                          VkPhysicalDevice *out) {
  uint32_t count = 0;
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkEnumeratePhysicalDevices(instance, &count, NULL), "vkEnumeratePhysicalDevices"));
  if (count == 0) return edge_make_status(EDGE_STATUS_NOT_FOUND, "Vulkan: no devices");
  VkPhysicalDevice *devices = edge_mem_calloc(count, sizeof(*devices));
  if (!devices) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  edge_status_t status = edge_vk_check(vkEnumeratePhysicalDevices(instance, &count, devices), "vkEnumeratePhysicalDevices");
  int named = name && *name, best = -1, best_rank = 1 << 30;
  for (uint32_t i = 0; !status && i < count; ++i) {
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(devices[i], &properties);
    if (named) {
      int match = is_index(name) ? strtoul(name, NULL, 10) == i : strstr(properties.deviceName, name) != NULL;
      if (match) {
        best = (int)i;
        break;
      }
    } else if (device_rank(properties.deviceType) < best_rank) {
      best = (int)i;
      best_rank = device_rank(properties.deviceType);
    }
  }
  if (!status && best < 0) {
    status = edge_make_status(EDGE_STATUS_NOT_FOUND, "Vulkan: no device matches '%s' (%u devices)", name, count);
  }
  if (!status) *out = devices[best];
  edge_mem_free(devices);
  return status;
}

static edge_status_t pick_memory_type(VkPhysicalDevice physical, uint32_t *out) {
  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(physical, &memory);
  const VkMemoryPropertyFlags needed = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int found = -1;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
    if ((flags & needed) != needed) continue;
    if (found < 0 || (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)) found = (int)i;
    if (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) break;
  }
  if (found < 0) return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "Vulkan: no host-visible coherent memory");
  *out = (uint32_t)found;
  return NULL;
}

static edge_status_t open_device(const char *name, int require_int64, edge_vk_device_t *d) {
  VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "edgert",
                           .pEngineName = "edgec", .apiVersion = VK_API_VERSION_1_1};
  VkInstanceCreateInfo instance_info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreateInstance(&instance_info, NULL, &d->instance), "vkCreateInstance"));
  EDGE_RETURN_IF_ERROR(pick_physical_device(d->instance, name, &d->physical));
  vkGetPhysicalDeviceProperties(d->physical, &d->properties);
  if (d->properties.apiVersion < VK_API_VERSION_1_1)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "Vulkan: device '%s' supports only Vulkan %u.%u",
                            d->properties.deviceName, VK_API_VERSION_MAJOR(d->properties.apiVersion),
                            VK_API_VERSION_MINOR(d->properties.apiVersion));
  VkPhysicalDeviceFeatures features;
  vkGetPhysicalDeviceFeatures(d->physical, &features);
  if (require_int64 && !features.shaderInt64)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION,
                            "Vulkan: the model needs 64-bit integers in shaders; device '%s' lacks shaderInt64",
                            d->properties.deviceName);

  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(d->physical, &families, NULL);
  VkQueueFamilyProperties family_list[16];
  if (families > 16) families = 16;
  vkGetPhysicalDeviceQueueFamilyProperties(d->physical, &families, family_list);
  d->queue_family = UINT32_MAX;
  for (uint32_t i = 0; i < families && d->queue_family == UINT32_MAX; ++i)
    if (family_list[i].queueFlags & VK_QUEUE_COMPUTE_BIT) d->queue_family = i;
  if (d->queue_family == UINT32_MAX)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "Vulkan: device '%s' has no compute queue",
                            d->properties.deviceName);
  EDGE_RETURN_IF_ERROR(pick_memory_type(d->physical, &d->memory_type));

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                        .queueFamilyIndex = d->queue_family, .queueCount = 1,
                                        .pQueuePriorities = &priority};
  VkPhysicalDeviceFeatures enabled = {.shaderInt64 = require_int64 ? VK_TRUE : VK_FALSE};
  VkDeviceCreateInfo device_info = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .queueCreateInfoCount = 1,
                                    .pQueueCreateInfos = &queue_info, .pEnabledFeatures = &enabled};
  EDGE_RETURN_IF_ERROR(edge_vk_check(vkCreateDevice(d->physical, &device_info, NULL, &d->device), "vkCreateDevice"));
  vkGetDeviceQueue(d->device, d->queue_family, 0, &d->queue);
  VkCommandPoolCreateInfo pool_info = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                       .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                       .queueFamilyIndex = d->queue_family};
  return edge_vk_check(vkCreateCommandPool(d->device, &pool_info, NULL, &d->command_pool), "vkCreateCommandPool");
}

edge_status_t edge_vk_device_open(const char *name, int require_int64, edge_vk_device_t *out) {
  memset(out, 0, sizeof(*out));
  if (!name || !*name) name = getenv("EDGE_VULKAN_DEVICE");
  edge_status_t status = open_device(name, require_int64, out);
  if (status) edge_vk_device_close(out);
  return status;
}

void edge_vk_device_close(edge_vk_device_t *d) {
  if (d->command_pool) vkDestroyCommandPool(d->device, d->command_pool, NULL);
  if (d->device) vkDestroyDevice(d->device, NULL);
  if (d->instance) vkDestroyInstance(d->instance, NULL);
  memset(d, 0, sizeof(*d));
}

edge_status_t edge_vk_buffer_create(const edge_vk_device_t *d, uint64_t bytes, edge_vk_buffer_t *out) {
  memset(out, 0, sizeof(*out));
  out->size = bytes < 16 ? 16 : (bytes + 15) & ~(uint64_t)15;
  VkBufferCreateInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = out->size,
                             .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
  edge_status_t status = edge_vk_check(vkCreateBuffer(d->device, &info, NULL, &out->buffer), "vkCreateBuffer");
  VkMemoryRequirements needs;
  if (!status) {
    vkGetBufferMemoryRequirements(d->device, out->buffer, &needs);
    if (!(needs.memoryTypeBits & (1u << d->memory_type)))
      status = edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "Vulkan: buffers cannot live in host-visible memory");
  }
  if (!status) {
    VkMemoryAllocateInfo alloc = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = needs.size,
                                  .memoryTypeIndex = d->memory_type};
    status = edge_vk_check(vkAllocateMemory(d->device, &alloc, NULL, &out->memory), "vkAllocateMemory");
  }
  if (!status) status = edge_vk_check(vkBindBufferMemory(d->device, out->buffer, out->memory, 0), "vkBindBufferMemory");
  if (!status) status = edge_vk_check(vkMapMemory(d->device, out->memory, 0, VK_WHOLE_SIZE, 0, &out->mapped), "vkMapMemory");
  if (status) edge_vk_buffer_destroy(d, out);
  return status;
}

void edge_vk_buffer_destroy(const edge_vk_device_t *d, edge_vk_buffer_t *buffer) {
  if (buffer->mapped) vkUnmapMemory(d->device, buffer->memory);
  if (buffer->buffer) vkDestroyBuffer(d->device, buffer->buffer, NULL);
  if (buffer->memory) vkFreeMemory(d->device, buffer->memory, NULL);
  memset(buffer, 0, sizeof(*buffer));
}
