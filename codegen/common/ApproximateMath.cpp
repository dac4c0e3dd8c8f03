//===- ApproximateMath.cpp - the edge-approximate-math pass ---------------===//
#include "codegen/common/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edge {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct ApproximateMathPass : impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // sqrt, fma and friends have native instructions; these do not.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      name.consume_front("math.");
      return llvm::is_contained({"erf", "tanh", "exp", "expm1", "log", "log1p", "log2"}, name);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace edge
