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

/// Registers what the textual pipelines name (they must be registered to parse).
static void registerNamedPasses() {
  static const bool registered = [] {
    registerAllPasses();
    registerEdgeConversionPasses();
    registerEdgeTransformsPasses();
    return true;
  }();
  (void)registered;
}

static void addLowerToLLVM(OpPassManager &pm, llvm::StringRef memrefOptions) {
  registerNamedPasses();
  std::string pipeline = kLowerToLLVM;
  pipeline.replace(pipeline.find("%s"), 2, memrefOptions.str());
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("edgec: the built-in lowering pipeline does not parse");
}

/// After the front half: weights bound, outputs as destinations, one-shot bufferization.
static void addBufferize(OpPassManager &pm) {
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
  pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass());
  // Accumulator tiles read/written in every K step move out of the K loop (registers).
  pm.addNestedPass<func::FuncOp>(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  addBufferize(pm);
  pm.addNestedPass<func::FuncOp>(createMemoryPlanPass());
  pm.addPass(createLowerPagedAttentionPass());
  pm.addPass(createLowerQuantizedOpsPass());
  addLowerToLLVM(pm, "");
}

void buildVulkanFrontPipeline(OpPassManager &pm) {
  pm.addPass(createQuantizeWeightsPass());
  pm.addPass(createConvertOnnxToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
}

void buildVulkanBackPipeline(OpPassManager &pm) {
  registerNamedPasses();
  addBufferize(pm);
  pm.addNestedPass<func::FuncOp>(createShapeBuffersToViewsPass());
  // Before the memory plan: the quantized activations are buffers it places.
  pm.addNestedPass<func::FuncOp>(createQuantizedOpsToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createMemoryPlanPass());
  pm.addNestedPass<func::FuncOp>(createPagedAttentionToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createApproximateMathPass());
  pm.addNestedPass<func::FuncOp>(createMapToGpuPass());
  pm.addNestedPass<func::FuncOp>(createPromoteAccumulatorsPass());
  // No canonicalization between tiling and conversion: it would merge the workgroup and
  // thread loops again.
  // Constants hoisted by canonicalization are sunk back into the launches before
  // outlining, so they stay kernel constants. fma has no SPIR-V pattern: a mul and an add;
  // convert-gpu-to-spirv leaves math ops to convert-math-to-spirv (GLSL.std.450).
  static constexpr const char *kToSpirv =
      "func.func(convert-parallel-loops-to-gpu), canonicalize, cse, func.func(edge-linearize-kernel-memrefs), "
      "gpu-kernel-outlining, canonicalize, cse, edge-vulkan-dispatch, "
      "gpu.module(math-expand-ops{ops=fma}, lower-affine, canonicalize, cse, "
      "map-memref-spirv-storage-class{client-api=vulkan}, convert-math-to-spirv), "
      "convert-gpu-to-spirv{use-64bit-index=false}, "
      "spirv.module(spirv-lower-abi-attrs, edge-spirv-push-constants, canonicalize, spirv-update-vce)";
  if (failed(parsePassPipeline(kToSpirv, pm)))
    llvm::report_fatal_error("edgec: the built-in SPIR-V pipeline does not parse");
}

void buildVulkanHostPipeline(OpPassManager &pm) {
  // Allocations become calls of _mlir_memref_to_llvm_{alloc,aligned_alloc,free}, which the
  // driver renames to the runtime's device-buffer functions.
  addLowerToLLVM(pm, "{use-generic-functions=true}");
}

void registerPipelines() {
  PassPipelineRegistration<>("edge-cpu-pipeline", "onnx dialect to LLVM dialect for a CPU target",
                             buildCpuPipeline);
}

} // namespace edge
