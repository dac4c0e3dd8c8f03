//===- UsePanelUkernel.cpp - the edge-use-panel-ukernel pass --------------===//
//
// The contractions edge-pack-weights rewrote over a panel-packed f32 weight become
// edge.panel_matmul when they are plain row-times-matrix products: the ukernel then runs
// them on every thread, and the tile loops they would otherwise become (one copy per
// matmul, with the bufferization analysis and LLVM time that costs) are not generated.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "dialects/edge/IR/EdgeDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace edge {
#define GEN_PASS_DEF_USEPANELUKERNELPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

bool isF32(Value value) { return cast<ShapedType>(value.getType()).getElementType().isF32(); }

/// `expr` as a dim position, or -1.
int64_t dimOf(AffineExpr expr) {
  auto dim = dyn_cast<AffineDimExpr>(expr);
  return dim ? static_cast<int64_t>(dim.getPosition()) : -1;
}

/// Whether `generic` is a panel matmul: inputs (A, W) with A indexed (rows..., k), W a
/// packed f32 edge.weight indexed (n0, k, n1), the accumulator indexed (rows..., n0, n1).
bool isPanelMatmul(linalg::GenericOp op) {
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1)
    return false;
  Value a = op.getDpsInputOperand(0)->get(), w = op.getDpsInputOperand(1)->get();
  OpOperand *acc = op.getDpsInitOperand(0);
  auto weight = w.getDefiningOp<WeightOp>();
  if (!weight || !weight.getPackN() || !isF32(a) || !isF32(w) || !isF32(acc->get())) return false;

  AffineMap aMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap wMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  AffineMap outMap = op.getMatchingIndexingMap(acc);
  int64_t rank = aMap.getNumResults();
  if ((rank != 2 && rank != 3) || outMap.getNumResults() != rank + 1 || wMap.getNumResults() != 3) return false;
  int64_t k = dimOf(aMap.getResult(rank - 1)), n0 = dimOf(wMap.getResult(0)), n1 = dimOf(wMap.getResult(2));
  if (k < 0 || n0 < 0 || n1 < 0 || dimOf(wMap.getResult(1)) != k) return false;
  // Rows: the same loops, in the same order, in A and in the result.
  for (int64_t i = 0; i + 1 < rank; ++i) {
    int64_t row = dimOf(aMap.getResult(i));
    if (row < 0 || row != dimOf(outMap.getResult(i)) || row == k || row == n0 || row == n1) return false;
  }
  if (dimOf(outMap.getResult(rank - 1)) != n0 || dimOf(outMap.getResult(rank)) != n1) return false;
  return op.getIteratorTypesArray()[k] == utils::IteratorType::reduction;
}

/// The tensor a zero fill writes into, when `value` is one (of +0.0).
Value zeroFilled(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  if (!fill) return {};
  auto zero = fill.getInputs().front().getDefiningOp<arith::ConstantOp>();
  auto attr = zero ? dyn_cast<FloatAttr>(zero.getValue()) : FloatAttr();
  if (!attr || !attr.getValue().isPosZero()) return {};
  return fill.getOutputs().front();
}

/// `generic` as edge.panel_matmul on the accumulator with its panel dims collapsed to N,
/// the result expanded back (the canonicalizer folds the reshapes into their neighbours).
/// A zero-filled accumulator (a MatMul's) is not read: the op sums from zero into the
/// unfilled tensor, so matmuls that share one zero fill (CSE merges them) need no copy of
/// it each and every layer bufferizes alike.
void rewrite(RewriterBase &rewriter, linalg::GenericOp op) {
  Value acc = op.getDpsInitOperand(0)->get();
  auto accType = cast<RankedTensorType>(acc.getType());
  Value unfilled = zeroFilled(acc);
  int64_t rank = accType.getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i + 2 < rank; ++i) groups.push_back({i});
  groups.push_back({rank - 2, rank - 1});
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value init = tensor::CollapseShapeOp::create(rewriter, loc, unfilled ? unfilled : acc, groups);
  auto matmul = PanelMatmulOp::create(rewriter, loc, TypeRange{init.getType()}, op.getDpsInputOperand(0)->get(),
                                      op.getDpsInputOperand(1)->get(), init,
                                      unfilled ? UnitAttr() : rewriter.getUnitAttr());
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(rewriter, loc, acc);
  Value result = tensor::ExpandShapeOp::create(rewriter, loc, accType, matmul->getResult(0), groups, shape);
  rewriter.replaceOp(op, result);
}

struct UsePanelUkernelPass : impl::UsePanelUkernelPassBase<UsePanelUkernelPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> contractions;
    getOperation().walk([&](linalg::GenericOp op) { contractions.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : contractions)
      if (isPanelMatmul(op)) rewrite(rewriter, op);
  }
};

} // namespace
} // namespace edge
