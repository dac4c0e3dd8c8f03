//===- Pipelines.h - pipeline pieces the codegen targets share -*- C++ -*-===//
#ifndef EDGE_CODEGEN_COMMON_PIPELINES_H
#define EDGE_CODEGEN_COMMON_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace edge {

/// After the weight layout: the entry is marked for a C wrapper, weights become views of
/// the weights argument (edge-bind-weights), results are written into the caller's
/// buffers (edge-outputs-to-destinations), then one-shot bufferization.
void addBufferizePasses(mlir::OpPassManager &pm);

/// Upstream passes that take linalg/vector/memref code down to the LLVM dialect (the
/// entry with its C wrapper); then its runtime calls go through the run's import table
/// (edge-bind-runtime-imports), allocations included: on Vulkan they are device buffers.
void addLowerToLLVMPasses(mlir::OpPassManager &pm);

} // namespace edge

#endif // EDGE_CODEGEN_COMMON_PIPELINES_H
