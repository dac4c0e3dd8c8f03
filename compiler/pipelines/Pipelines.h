//===- Pipelines.h - the target-independent pass pipelines -----*- C++ -*-===//
//
// The passes between import and code generation, in the order they run. The targets'
// own pipelines (weight layout, lowering) live with their passes in
// codegen/{cpu,spirv}/Pipelines.h; the driver runs one after the other and orders no
// passes itself.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_PIPELINES_PIPELINES_H
#define EDGE_COMPILER_PIPELINES_PIPELINES_H

#include "compiler/transforms/PlanQuantization.h"
#include "mlir/Pass/PassManager.h"

namespace edge {

/// Right after import, on the onnx dialect: drops what the importer's folding left unused
/// (exporter shape arithmetic) and merges repeated dim reads.
void buildImportCleanupPipeline(mlir::OpPassManager &pm);

/// A causal LM (past_key_values in, present out) for the runtime's paged KV cache:
/// attention reads and appends the cache (edge-paged-attention), the logits of the
/// sampled rows only are computed (edge-select-logits), and the module's edge.model
/// interface follows the new signature (edge-name-entry-values before, and
/// edge-causal-lm-interface after). Other models pass through unchanged.
void buildCausalLMPipeline(mlir::OpPassManager &pm);

/// --quant and --quant-override: each weight's stored format chosen and marked
/// (edge-plan-quantization), before the front pipeline carries it out.
void buildQuantizationPlanPipeline(mlir::OpPassManager &pm, const PlanQuantizationPassOptions &options,
                                   QuantErrorFn q4Error);

/// onnx dialect → linalg on tensors, for every target:
///   1. weights marked by --quant stored block-quantized     (edge-quantize-weights)
///   2. onnx → linalg on tensors                              (convert-onnx-to-linalg)
///   3. elementwise chains fused into their producers         (edge-fuse-elementwise)
/// The target's weight-layout pipeline follows (codegen/<target>/Pipelines.h).
void buildFrontPipeline(mlir::OpPassManager &pm);

} // namespace edge

#endif // EDGE_COMPILER_PIPELINES_PIPELINES_H
