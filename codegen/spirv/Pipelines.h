//===- Pipelines.h - the Vulkan target's pass pipelines --------*- C++ -*-===//
#ifndef EDGE_CODEGEN_SPIRV_PIPELINES_H
#define EDGE_CODEGEN_SPIRV_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace edge {

/// After the front pipeline: kernels read weights as stored, so nothing is re-laid out;
/// the IR is only canonicalized.
void buildVulkanWeightLayoutPipeline(mlir::OpPassManager &pm);

/// Bind weights, bufferize, plan the arena, approximate math; buffer ops become loops
/// mapped to workgroups (edge-map-to-gpu), gpu.launch bodies with flat buffers
/// (edge-linearize-kernel-memrefs), outlined kernels, launches replaced by runtime
/// dispatch calls (edge-vulkan-dispatch), kernels lowered to spirv.module ops with push
/// constants (edge-spirv-push-constants).
void buildVulkanBackPipeline(mlir::OpPassManager &pm);

/// Once the driver serialized and removed the kernels: the host code to LLVM, its
/// allocations through the runtime (they are device buffers).
void buildVulkanHostPipeline(mlir::OpPassManager &pm);

} // namespace edge

#endif // EDGE_CODEGEN_SPIRV_PIPELINES_H
