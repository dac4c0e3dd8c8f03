/* Internal: the Vulkan backend: models compiled with --target vulkan. */
#ifndef EDGE_VULKAN_VK_BACKEND_H_
#define EDGE_VULKAN_VK_BACKEND_H_

#include "backend/backend.h"

extern const edge_backend_t edge_vulkan_backend;

#endif /* EDGE_VULKAN_VK_BACKEND_H_ */
