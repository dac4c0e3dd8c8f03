//===- edge-opt.cpp - mlir-opt with edgec's dialects and passes -----------===//
#include "codegen/common/Passes.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Pipelines.h"
#include "codegen/spirv/Passes.h"
#include "compiler/conversion/Passes.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/transforms/Passes.h"
#include "dialects/edge/IR/EdgeDialect.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  edge::registerEdgeConversionPasses();
  edge::registerEdgeTransformsPasses();
  edge::registerEdgeCodegenCommonPasses();
  edge::registerEdgeCodegenCpuPasses();
  edge::registerEdgeCodegenSpirvPasses();
  // The whole CPU compile after import, for lit tests of the passes in sequence.
  mlir::PassPipelineRegistration<>("edge-cpu-pipeline", "onnx dialect to LLVM dialect for a CPU target",
                                   [](mlir::OpPassManager &pm) {
                                     edge::buildFrontPipeline(pm);
                                     edge::buildCpuWeightLayoutPipeline(pm);
                                     edge::buildCpuBackPipeline(pm);
                                   });
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<edge::onnx::OnnxDialect, edge::EdgeDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "edgec optimizer driver\n", registry));
}
