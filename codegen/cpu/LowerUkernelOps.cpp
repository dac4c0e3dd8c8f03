//===- LowerUkernelOps.cpp - the edge-lower-ukernel-ops pass --------------===//
#include "codegen/cpu/Passes.h"

namespace edge {
#define GEN_PASS_DEF_LOWERUKERNELOPSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Bytes of one quantized activation block (runtime/ukernels/qmatmul.h).
constexpr int64_t kActBlockHeader = 8;

MemRefType dynamicView(MLIRContext *context, Type element, int64_t rank) {
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<int64_t> shape(rank, dyn), strides(rank, dyn);
  return MemRefType::get(shape, element, StridedLayoutAttr::get(context, dyn, strides));
}

/// `buffer` with a leading unit dim when it has rank `rank - 1`, cast to `view`.
Value asView(OpBuilder &builder, Location loc, Value buffer, MemRefType view) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getRank() + 1 == view.getRank()) {
    SmallVector<ReassociationIndices> groups = {{0, 1}};
    SmallVector<OpFoldResult> shape = {builder.getIndexAttr(1)};
    for (int64_t i = 1; i < type.getRank(); ++i) groups.push_back({i + 1});
    for (int64_t i = 0; i < type.getRank(); ++i)
      shape.push_back(type.isDynamicDim(i) ? OpFoldResult(memref::DimOp::create(builder, loc, buffer, i).getResult())
                                           : OpFoldResult(builder.getIndexAttr(type.getDimSize(i))));
    SmallVector<int64_t> expanded = {1};
    llvm::append_range(expanded, type.getShape());
    buffer = memref::ExpandShapeOp::create(builder, loc, expanded, buffer, groups, shape).getResult();
  }
  return memref::CastOp::create(builder, loc, view, buffer);
}

func::FuncOp declare(ModuleOp module, StringRef name, FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name)) return existing;
  OpBuilder builder(module.getContext());
  builder.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(builder, module.getLoc(), name, type);
  func.setPrivate();
  func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  return func;
}

struct LowerUkernelOpsPass : impl::LowerUkernelOpsPassBase<LowerUkernelOpsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<QuantizedMatmulOp, QuantizedEmbeddingOp, PanelMatmulOp>(op)) ops.push_back(op);
    });
    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    Type f32 = builder.getF32Type(), i8 = builder.getI8Type(), i64 = builder.getI64Type();
    MemRefType rows = dynamicView(context, f32, 3), bytes = dynamicView(context, i8, 1), panels = rows;
    MemRefType indices = dynamicView(context, i64, 2);
    for (Operation *op : ops) {
      if (op->getNumResults() != 0) {
        op->emitError("ukernel ops must be bufferized before they are lowered");
        return signalPassFailure();
      }
      builder.setInsertionPoint(op);
      Location loc = op->getLoc();
      auto constant = [&](int64_t value) { return arith::ConstantIntOp::create(builder, loc, value, 64).getResult(); };
      if (auto matmul = dyn_cast<QuantizedMatmulOp>(op)) {
        auto kernel = declare(module, "edge_uk_qmatmul", builder.getFunctionType({rows, bytes, rows, bytes, i64, i64}, {}));
        int64_t block = matmul.getBlockSize();
        auto inputType = cast<MemRefType>(matmul.getInput().getType());
        int64_t k = inputType.getShape().back();
        // Scratch for the quantized activations: every row, K / block blocks each.
        Value m = memref::DimOp::create(builder, loc, matmul.getInput(), 0);
        if (inputType.getRank() == 3)
          m = arith::MulIOp::create(builder, loc, m, memref::DimOp::create(builder, loc, matmul.getInput(), 1));
        Value perRow = arith::ConstantIndexOp::create(builder, loc, k / block * (kActBlockHeader + block));
        Value size = arith::MulIOp::create(builder, loc, m, perRow);
        Value scratch = memref::AllocOp::create(builder, loc, MemRefType::get({ShapedType::kDynamic}, i8), ValueRange{size},
                                                builder.getI64IntegerAttr(64));
        func::CallOp::create(builder, loc, kernel,
                             ValueRange{asView(builder, loc, matmul.getInput(), rows),
                                        asView(builder, loc, matmul.getWeight(), bytes),
                                        asView(builder, loc, matmul.getInit(), rows), asView(builder, loc, scratch, bytes),
                                        constant(weightFormatDtype(matmul.getFormat())), constant(block)});
        memref::DeallocOp::create(builder, loc, scratch);
      } else if (auto matmul = dyn_cast<PanelMatmulOp>(op)) {
        auto kernel = declare(module, "edge_uk_panel_matmul", builder.getFunctionType({rows, panels, rows, i64}, {}));
        func::CallOp::create(builder, loc, kernel,
                             ValueRange{asView(builder, loc, matmul.getInput(), rows),
                                        asView(builder, loc, matmul.getWeight(), panels),
                                        asView(builder, loc, matmul.getInit(), rows),
                                        constant(matmul.getAccumulate() ? 1 : 0)});
      } else {
        auto embedding = cast<QuantizedEmbeddingOp>(op);
        auto kernel = declare(module, "edge_uk_dequant_rows",
                              builder.getFunctionType({indices, bytes, rows, i64, i64, i64}, {}));
        func::CallOp::create(builder, loc, kernel,
                             ValueRange{asView(builder, loc, embedding.getIndices(), indices),
                                        asView(builder, loc, embedding.getTable(), bytes),
                                        asView(builder, loc, embedding.getInit(), rows),
                                        constant(weightFormatDtype(embedding.getFormat())),
                                        constant(embedding.getBlockSize()), constant(embedding.getRows())});
      }
      op->erase();
    }
  }
};

} // namespace
} // namespace edge
