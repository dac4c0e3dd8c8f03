/*
 * The list of backends, and which one runs a model. The only place outside runtime/vulkan
 * that knows whether this libedgert was built with Vulkan (EDGE_HAVE_VULKAN, set by
 * runtime/CMakeLists.txt when it finds a Vulkan loader).
 */
#include "backend/backend.h"

#include "base/status.h"
#include "cpu/cpu_backend.h"
#ifdef EDGE_HAVE_VULKAN
#include "vulkan/vk_backend.h"
#endif

edge_status_t edge_backend_for_model(const edge_model_desc_t *model, const edge_backend_t **out_backend) {
  *out_backend = NULL;
  if (!model->vulkan) {
    *out_backend = &edge_cpu_backend;
    return NULL;
  }
#ifdef EDGE_HAVE_VULKAN
  *out_backend = &edge_vulkan_backend;
  return NULL;
#else
  return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                          "model '%s' was compiled for Vulkan; this libedgert was built without Vulkan",
                          model->name);
#endif
}
