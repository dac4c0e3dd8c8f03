//===- Pipelines.h - pipeline pieces the codegen targets share -*- C++ -*-===//
#ifndef EDGE_CODEGEN_COMMON_PIPELINES_H
#define EDGE_CODEGEN_COMMON_PIPELINES_H

#include "llvm/ADT/StringRef.h"
#include "mlir/Pass/PassManager.h"

namespace edge {

/// After the weight layout: weights become views of the weights argument
/// (edge-bind-weights), results are written into the caller's buffers
/// (edge-outputs-to-destinations), then one-shot bufferization.
void addBufferizePasses(mlir::OpPassManager &pm);

/// Upstream passes that take linalg/vector/memref code down to the LLVM dialect, with C
/// wrappers for the entry; `memrefOptions` are finalize-memref-to-llvm's ("" or
/// "{use-generic-functions=true}").
void addLowerToLLVMPasses(mlir::OpPassManager &pm, llvm::StringRef memrefOptions);

} // namespace edge

#endif // EDGE_CODEGEN_COMMON_PIPELINES_H
