//===- Pipelines.h - pipeline pieces the codegen targets share -*- C++ -*-===//
#ifndef EDGE_CODEGEN_COMMON_PIPELINES_H
#define EDGE_CODEGEN_COMMON_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace edge {

/// After the weight layout: weights become views of the weights argument
/// (edge-bind-weights), results are written into the caller's buffers
/// (edge-outputs-to-destinations), then one-shot bufferization.
void addBufferizePasses(mlir::OpPassManager &pm);

/// Upstream passes that take linalg/vector/memref code down to the LLVM dialect, with C
/// wrappers for the entry. With `genericAllocations`, allocations become calls of
/// _mlir_memref_to_llvm_{alloc,aligned_alloc,free} (which the Vulkan host code binds to
/// device buffers) instead of malloc and free.
void addLowerToLLVMPasses(mlir::OpPassManager &pm, bool genericAllocations);

} // namespace edge

#endif // EDGE_CODEGEN_COMMON_PIPELINES_H
