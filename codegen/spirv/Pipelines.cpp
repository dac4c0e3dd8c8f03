//===- Pipelines.cpp - the Vulkan target's pass pipelines -----------------===//
#include "codegen/spirv/Pipelines.h"
#include "codegen/common/Passes.h"
#include "codegen/common/Pipelines.h"
#include "codegen/spirv/Passes.h"

#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRVPass.h"
#include "mlir/Conversion/MemRefToSPIRV/MemRefToSPIRVPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace edge {

void buildVulkanWeightLayoutPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLayOutWeightsPass());
}

void buildVulkanBackPipeline(OpPassManager &pm) {
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
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createLinearizeKernelMemrefsPass());
  // Constants hoisted by canonicalization are sunk back into the launches before
  // outlining, so they stay kernel constants.
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createVulkanDispatchPass());
  {
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    // fma has no SPIR-V pattern: a mul and an add.
    math::MathExpandOpsPassOptions expand;
    expand.opMnemonics = {"fma"};
    kernels.addPass(math::createMathExpandOpsPass(expand));
    kernels.addPass(createLowerAffinePass());
    kernels.addPass(createCanonicalizerPass());
    kernels.addPass(createCSEPass());
    std::unique_ptr<Pass> storageClasses = createMapMemRefStorageClassPass();
    if (failed(storageClasses->initializeOptions("client-api=vulkan", [](const llvm::Twine &message) {
          llvm::report_fatal_error("edgec: map-memref-spirv-storage-class: " + message);
          return failure();
        })))
      llvm::report_fatal_error("edgec: map-memref-spirv-storage-class does not take client-api=vulkan");
    kernels.addPass(std::move(storageClasses));
    // convert-gpu-to-spirv leaves math ops to convert-math-to-spirv (GLSL.std.450).
    kernels.addPass(createConvertMathToSPIRVPass());
  }
  pm.addPass(createConvertGPUToSPIRVPass()); // 32-bit indices (the default)
  {
    OpPassManager &spirv = pm.nest<spirv::ModuleOp>();
    spirv.addPass(spirv::createSPIRVLowerABIAttributesPass());
    spirv.addPass(createSpirvPushConstantsPass());
    spirv.addPass(createCanonicalizerPass());
    spirv.addPass(spirv::createSPIRVUpdateVCEPass());
  }
}

void buildVulkanHostPipeline(OpPassManager &pm) {
  // Allocations go through the run's import table: the Vulkan backend makes them device
  // buffers.
  addLowerToLLVMPasses(pm);
}

} // namespace edge
