//===- ConvertOnnxToLinalg.cpp - the convert-onnx-to-linalg pass ----------===//
#include "compiler/conversion/Passes.h"
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edge {
#define GEN_PASS_DEF_CONVERTONNXTOLINALGPASS
#include "compiler/conversion/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct ConvertOnnxToLinalgPass : impl::ConvertOnnxToLinalgPassBase<ConvertOnnxToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateElementwisePatterns(patterns);
    populateMatMulPatterns(patterns);
    populateReductionPatterns(patterns);
    populateShapePatterns(patterns);
    populateIndexingPatterns(patterns);
    populateGeneratorPatterns(patterns);
    // Patterns only replace onnx ops, so the walk below sees exactly the ones they declined.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    bool failedAny = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<onnx::OnnxDialect>(op->getDialect())) return;
      op->emitError() << "cannot lower " << op->getName() << " with operand types "
                      << op->getOperandTypes();
      failedAny = true;
    });
    if (failedAny) signalPassFailure();
  }
};

} // namespace
} // namespace edge
