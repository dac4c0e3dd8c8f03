//===- Pipelines.h - the CPU targets' pass pipelines -----------*- C++ -*-===//
#ifndef EDGE_CODEGEN_CPU_PIPELINES_H
#define EDGE_CODEGEN_CPU_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace edge {

/// After the front pipeline: the target's tiles recorded on the module
/// (edge-cpu-select-strategy, from `edge.target` and `edge.cpu`), contraction weights
/// re-laid out as the kernels read them (edge-pack-weights). The
/// driver writes NAME.weights in exactly this layout before the back pipeline.
void buildCpuWeightLayoutPipeline(mlir::OpPassManager &pm);

/// linalg on tensors → LLVM dialect:
///   1. register tiles, peeling, vectorization              (edge-tile-and-vectorize)
///   2. weights bound, results into the caller's buffers, one-shot bufferization
///   3. intermediates into one arena by liveness             (edge-memory-plan)
///   4. paged attention and quantized ops as runtime / ukernel calls
///   5. loops, vectors, math approximations → LLVM dialect, with C wrappers
void buildCpuBackPipeline(mlir::OpPassManager &pm);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_PIPELINES_H
