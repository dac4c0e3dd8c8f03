//===- Pipelines.cpp - the target-independent pass pipelines --------------===//
#include "compiler/pipelines/Pipelines.h"
#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace edge {

void buildImportCleanupPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildCausalLMPipeline(OpPassManager &pm) {
  pm.addPass(createNameEntryValuesPass());
  pm.addPass(createPagedAttentionPass());
  pm.addPass(createSelectLogitsPass());
  pm.addPass(createCausalLMInterfacePass());
}

void buildQuantizationPlanPipeline(OpPassManager &pm, const PlanQuantizationPassOptions &options,
                                   QuantErrorFn q4Error) {
  pm.addPass(createPlanQuantizationPass(options, std::move(q4Error)));
}

void buildFrontPipeline(OpPassManager &pm) {
  pm.addPass(createQuantizeWeightsPass());
  pm.addPass(createConvertOnnxToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
}

} // namespace edge
