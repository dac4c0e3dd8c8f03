//===- Pipelines.h - the only place that orders passes ---------*- C++ -*-===//
#ifndef EDGE_COMPILER_PIPELINES_PIPELINES_H
#define EDGE_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace edge {

/// onnx dialect → LLVM dialect for a CPU target. The module carries `edge.target`
/// (and optionally `edge.cpu`), which the per-target passes read.
///   1. onnx → linalg on tensors                         (convert-onnx-to-linalg)
///   2. fuse elementwise chains, pack contraction weights into panels (edge-pack-weights),
///      tile to register tiles, peel, vectorize           (edge-tile-and-vectorize)
///   3. weights become views of the weights argument      (edge-bind-weights)
///   4. results written into the caller's buffers, one-shot bufferization
///   5. intermediates into one arena by liveness          (edge-memory-plan)
///   6. loops, vectors, math approximations → LLVM dialect, with C wrappers
void buildCpuPipeline(mlir::OpPassManager &pm);

/// The two halves of buildCpuPipeline. Between them the driver writes NAME.weights: the
/// front half decides the weights' layout (edge-pack-weights), the back half needs the
/// fingerprint of the written file no more than the layout.
void buildCpuFrontPipeline(mlir::OpPassManager &pm);
void buildCpuBackPipeline(mlir::OpPassManager &pm);

/// The Vulkan target (--target vulkan), in three parts around the driver's steps:
///   front: as the CPU's, without packing or tiling (kernels read weights as stored);
///   back:  bind weights, bufferize, plan the arena, approximate math; buffer ops become
///          loops mapped to workgroups (edge-map-to-gpu), gpu.launch bodies with flat
///          buffers (edge-linearize-kernel-memrefs), outlined kernels, launches replaced
///          by runtime dispatch calls (edge-vulkan-dispatch), kernels lowered to
///          spirv.module ops with push constants (edge-spirv-push-constants);
///   host:  once the driver serialized and removed the kernels, the host code to LLVM,
///          its allocations through the runtime (they are device buffers).
void buildVulkanFrontPipeline(mlir::OpPassManager &pm);
void buildVulkanBackPipeline(mlir::OpPassManager &pm);
void buildVulkanHostPipeline(mlir::OpPassManager &pm);

/// Right after import, on the onnx dialect: drops what the importer's folding left unused
/// (exporter shape arithmetic) and merges repeated dim reads.
void buildImportCleanupPipeline(mlir::OpPassManager &pm);

/// Registers `edge-cpu-pipeline` for edge-opt.
void registerPipelines();

} // namespace edge

#endif // EDGE_COMPILER_PIPELINES_PIPELINES_H
