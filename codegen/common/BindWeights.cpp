//===- BindWeights.cpp - the edge-bind-weights pass -----------------------===//
#include "codegen/common/Passes.h"
#include "dialects/edge/IR/EdgeDialect.h"

namespace edge {
#define GEN_PASS_DEF_BINDWEIGHTSPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct BindWeightsPass : impl::BindWeightsPassBase<BindWeightsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      SmallVector<WeightOp> weights;
      func.walk([&](WeightOp op) { weights.push_back(op); });
      // Every public entry takes the buffer, so the ABI is the same with or without weights.
      if (func.isExternal() || (weights.empty() && !func.isPublic())) continue;

      auto bufferType = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(context, 8));
      if (failed(func.insertArgument(0, bufferType,
                                     DictionaryAttr::get(context, {NamedAttribute(
                                         StringAttr::get(context, kWeightsArgAttr), UnitAttr::get(context))}),
                                     func.getLoc())))
        return signalPassFailure();
      Value buffer = func.getArgument(0);
      OpBuilder builder(context);
      for (WeightOp op : weights) {
        builder.setInsertionPoint(op);
        auto tensorType = cast<RankedTensorType>(op.getType());
        auto memrefType = MemRefType::get(tensorType.getShape(), tensorType.getElementType());
        Value offset = arith::ConstantIndexOp::create(builder, op.getLoc(), op.getOffset());
        Value view = memref::ViewOp::create(builder, op.getLoc(), memrefType, buffer, offset, ValueRange{});
        // restrict: nothing else aliases the view; weights are never written.
        auto tensor = bufferization::ToTensorOp::create(builder, op.getLoc(), tensorType, view,
                                                        /*restrict=*/true, /*writable=*/false);
        op.replaceAllUsesWith(tensor.getResult());
        op.erase();
      }
    }
  }
};

} // namespace
} // namespace edge
