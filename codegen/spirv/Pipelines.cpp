//===- Pipelines.cpp - the Vulkan target's pass pipelines -----------------===//
#include "codegen/spirv/Pipelines.h"
#include "codegen/common/Passes.h"
#include "codegen/common/Pipelines.h"
#include "codegen/spirv/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace edge {

/// Registers what the textual pipeline names (it must be registered to parse).
static void registerNamedPasses() {
  static const bool registered = [] {
    registerAllPasses();
    registerEdgeCodegenSpirvPasses();
    return true;
  }();
  (void)registered;
}

void buildVulkanWeightLayoutPipeline(OpPassManager &pm) { pm.addPass(createCanonicalizerPass()); }

void buildVulkanBackPipeline(OpPassManager &pm) {
  registerNamedPasses();
  addBufferizePasses(pm);
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
  addLowerToLLVMPasses(pm, "{use-generic-functions=true}");
}

} // namespace edge
