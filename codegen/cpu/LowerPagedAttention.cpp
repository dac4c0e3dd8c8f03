//===- LowerPagedAttention.cpp - the edge-lower-paged-attention pass ------===//
#include "codegen/cpu/Passes.h"

namespace edge {
#define GEN_PASS_DEF_LOWERPAGEDATTENTIONPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

constexpr llvm::StringLiteral kKernel = "edge_rt_paged_attention";

/// memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>: any 4-D f32 view casts to it.
MemRefType dynamicView(MLIRContext *context) {
  int64_t dyn = ShapedType::kDynamic;
  auto layout = StridedLayoutAttr::get(context, dyn, {dyn, dyn, dyn, dyn});
  return MemRefType::get({dyn, dyn, dyn, dyn}, Float32Type::get(context), layout);
}

struct LowerPagedAttentionPass : impl::LowerPagedAttentionPassBase<LowerPagedAttentionPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<PagedAttentionOp> ops;
    module.walk([&](PagedAttentionOp op) { ops.push_back(op); });
    if (ops.empty()) return;
    for (PagedAttentionOp op : ops)
      if (op.getNumResults() != 0) {
        op.emitError("edge.paged_attention must be bufferized before it is lowered");
        return signalPassFailure();
      }

    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    MemRefType view = dynamicView(context);
    Type contextType = ops.front().getContext().getType();
    auto type = builder.getFunctionType({contextType, view, view, view, view, builder.getI64Type(), builder.getF32Type()},
                                        {});
    auto kernel = module.lookupSymbol<func::FuncOp>(kKernel);
    if (!kernel) {
      builder.setInsertionPointToStart(module.getBody());
      kernel = func::FuncOp::create(builder, module.getLoc(), kKernel, type);
      kernel.setPrivate();
      kernel->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    }
    for (PagedAttentionOp op : ops) {
      builder.setInsertionPoint(op);
      Location loc = op.getLoc();
      SmallVector<Value> args{op.getContext()};
      for (Value buffer : {op.getQuery(), op.getKey(), op.getValue(), op.getInit()})
        args.push_back(memref::CastOp::create(builder, loc, view, buffer));
      args.push_back(arith::ConstantOp::create(builder, loc, op.getLayerAttr()));
      args.push_back(arith::ConstantOp::create(builder, loc, op.getScaleAttr()));
      func::CallOp::create(builder, loc, kernel, args);
      op.erase();
    }
  }
};

} // namespace
} // namespace edge
