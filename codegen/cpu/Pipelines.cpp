//===- Pipelines.cpp - the CPU targets' pass pipelines --------------------===//
#include "codegen/cpu/Pipelines.h"
#include "codegen/common/Passes.h"
#include "codegen/common/Pipelines.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace edge {

void buildCpuWeightLayoutPipeline(OpPassManager &pm) {
  pm.addPass(createSelectStrategyPass());
  pm.addNestedPass<func::FuncOp>(createPackWeightsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLayOutWeightsPass());
}

void buildCpuBackPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass());
  // Accumulator tiles read/written in every K step move out of the K loop (registers).
  pm.addNestedPass<func::FuncOp>(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  addBufferizePasses(pm);
  pm.addNestedPass<func::FuncOp>(createMemoryPlanPass());
  pm.addPass(createLowerPagedAttentionPass());
  pm.addPass(createLowerQuantizedOpsPass());
  addLowerToLLVMPasses(pm);
}

} // namespace edge
