//===- Pipelines.cpp - pass pipelines, one builder per target -------------===//
#include "compiler/pipelines/Pipelines.h"

#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace edge {

/// Upstream passes that take linalg/vector/memref code down to the LLVM dialect.
static constexpr const char *kLowerToLLVM =
    "convert-math-to-funcs, func.func(edge-strided-copies-to-linalg, convert-linalg-to-loops, edge-approximate-math, "
    "convert-vector-to-scf{full-unroll=true}, lower-vector-multi-reduction, lower-affine, "
    "convert-scf-to-cf, canonicalize, cse), "
    "func.func(llvm-request-c-wrappers), expand-strided-metadata, lower-affine, "
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct reassociate-fp-reductions=true}, "
    "finalize-memref-to-llvm, convert-math-to-llvm, convert-arith-to-llvm, "
    "convert-index-to-llvm, convert-ub-to-llvm, convert-func-to-llvm, convert-cf-to-llvm, "
    "reconcile-unrealized-casts, canonicalize, cse";

void buildCpuPipeline(OpPassManager &pm) {
  buildCpuFrontPipeline(pm);
  buildCpuBackPipeline(pm);
}

void buildImportCleanupPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildCpuFrontPipeline(OpPassManager &pm) {
  pm.addPass(createQuantizeWeightsPass());
  pm.addPass(createConvertOnnxToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
  pm.addNestedPass<func::FuncOp>(createPackWeightsPass());
  pm.addPass(createCanonicalizerPass());
}

void buildCpuBackPipeline(OpPassManager &pm) {
  // The textual part below names passes, which must be registered to parse.
  static const bool registered = [] {
    registerAllPasses();
    registerEdgeConversionPasses();
    registerEdgeTransformsPasses();
    return true;
  }();
  (void)registered;
  pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass());
  // Accumulator tiles read/written in every K step move out of the K loop (registers).
  pm.addNestedPass<func::FuncOp>(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createBindWeightsPass());
  pm.addPass(createOutputsToDestinationsPass());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.bufferAlignment = 64;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass()); // copies of a tile onto itself, once CSE merged the views
  pm.addNestedPass<func::FuncOp>(createMemoryPlanPass());
  pm.addPass(createLowerPagedAttentionPass());
  pm.addPass(createLowerQuantizedOpsPass());

  if (failed(parsePassPipeline(kLowerToLLVM, pm)))
    llvm::report_fatal_error("edgec: the built-in lowering pipeline does not parse");
}

void registerPipelines() {
  PassPipelineRegistration<>("edge-cpu-pipeline", "onnx dialect to LLVM dialect for a CPU target",
                             buildCpuPipeline);
}

} // namespace edge
