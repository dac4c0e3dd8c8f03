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
  pm.addPass(createInterleaveQuantizedRowsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLayOutWeightsPass());
}

void buildCpuBackPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createUsePanelUkernelPass());
  pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass());
  // Accumulator tiles read/written in every K step move out of the K loop (registers).
  pm.addNestedPass<func::FuncOp>(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  addBufferizePasses(pm);
  pm.addPass(createLowerPagedAttentionPass());
  pm.addPass(createLowerUkernelOpsPass());
  // Identical layers become calls of one function once their ops are calls with operands
  // (the paged attention's layer index is one), and before their buffers are planned (each
  // function plans its own arena), so arena offsets cannot make them differ.
  pm.addPass(createOutlineRepeatedLayersPass());
  pm.addNestedPass<func::FuncOp>(createMemoryPlanPass());
  addLowerToLLVMPasses(pm);
}

} // namespace edge
