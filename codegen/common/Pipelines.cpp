//===- Pipelines.cpp - pipeline pieces the codegen targets share ----------===//
#include "codegen/common/Pipelines.h"
#include "codegen/common/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace edge {

/// Upstream passes that take linalg/vector/memref code down to the LLVM dialect ("%s":
/// the options of finalize-memref-to-llvm).
static constexpr const char *kLowerToLLVM =
    "convert-math-to-funcs, func.func(edge-strided-copies-to-linalg, convert-linalg-to-loops, edge-approximate-math, "
    "convert-vector-to-scf{full-unroll=true}, lower-vector-multi-reduction, lower-affine, "
    "convert-scf-to-cf, canonicalize, cse), "
    "func.func(llvm-request-c-wrappers), expand-strided-metadata, lower-affine, "
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct reassociate-fp-reductions=true}, "
    "finalize-memref-to-llvm%s, convert-math-to-llvm, convert-arith-to-llvm, "
    "convert-index-to-llvm, convert-ub-to-llvm, convert-func-to-llvm, convert-cf-to-llvm, "
    "reconcile-unrealized-casts, canonicalize, cse";

/// Registers what the textual pipeline names (it must be registered to parse).
static void registerNamedPasses() {
  static const bool registered = [] {
    registerAllPasses();
    registerEdgeCodegenCommonPasses();
    return true;
  }();
  (void)registered;
}

void addBufferizePasses(OpPassManager &pm) {
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
}

void addLowerToLLVMPasses(OpPassManager &pm, llvm::StringRef memrefOptions) {
  registerNamedPasses();
  std::string pipeline = kLowerToLLVM;
  pipeline.replace(pipeline.find("%s"), 2, memrefOptions.str());
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("edgec: the built-in lowering pipeline does not parse");
}

} // namespace edge
