//===- Generators.cpp - Range, ConstantOfShape, Trilu, CumSum → linalg ----===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

Value scalarOf(OpBuilder &b, Location loc, Value rank0) {
  return tensor::ExtractOp::create(b, loc, rank0, ValueRange{});
}

/// Range: max(ceil((limit - start) / delta), 0) elements start + i * delta.
struct RangeToLinalg : OpRewritePattern<onnx::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::RangeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    Value start = scalarOf(rewriter, loc, op.getStart()), limit = scalarOf(rewriter, loc, op.getLimit()),
          delta = scalarOf(rewriter, loc, op.getDelta());
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(type.isDynamicDim(0) ? 0 : type.getDimSize(0))};
    if (type.isDynamicDim(0)) {
      Value count;
      if (isa<FloatType>(element)) {
        Value steps = math::CeilOp::create(rewriter, loc, arith::DivFOp::create(rewriter, loc,
                                                                               arith::SubFOp::create(rewriter, loc, limit, start), delta));
        count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), steps);
      } else {
        Value span = arith::SubIOp::create(rewriter, loc, limit, start);
        count = arith::CeilDivSIOp::create(rewriter, loc, span, delta);
        count = convertScalar(rewriter, loc, count, rewriter.getI64Type());
      }
      Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(0));
      count = arith::MaxSIOp::create(rewriter, loc, count, zero);
      sizes[0] = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), count).getResult();
    }
    Value init = createEmpty(rewriter, loc, type, sizes);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{init}, {rewriter.getMultiDimIdentityMap(1)},
        {utils::IteratorType::parallel}, [&](OpBuilder &b, Location nl, ValueRange) {
          Value i = linalg::IndexOp::create(b, nl, 0);
          Value asInt = arith::IndexCastOp::create(b, nl, b.getI64Type(), i);
          Value index = convertScalar(b, nl, asInt, element);
          Value value = isa<FloatType>(element)
                            ? arith::AddFOp::create(b, nl, start, arith::MulFOp::create(b, nl, index, delta)).getResult()
                            : arith::AddIOp::create(b, nl, start, arith::MulIOp::create(b, nl, index, delta)).getResult();
          linalg::YieldOp::create(b, nl, value);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct ConstantOfShapeToLinalg : OpRewritePattern<onnx::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConstantOfShapeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      sizes.push_back(type.isDynamicDim(i) ? OpFoldResult(extractIndex(rewriter, loc, op.getShape(), i))
                                           : rewriter.getIndexAttr(type.getDimSize(i)));
    rewriter.replaceOp(op, createFilled(rewriter, loc, type, sizes, op.getValue()));
    return success();
  }
};

/// Trilu: keep x[..., r, c] where c - r >= k (upper) or c - r <= k (lower), else 0.
struct TriluToLinalg : OpRewritePattern<onnx::TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TriluOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    Value init = createEmpty(rewriter, loc, type, getDims(rewriter, loc, op.getInput()));
    auto identity = rewriter.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{op.getInput()}, ValueRange{init}, {identity, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value row = linalg::IndexOp::create(b, nl, rank - 2), col = linalg::IndexOp::create(b, nl, rank - 1);
          Value diagonal = arith::SubIOp::create(b, nl, col, row);
          Value k = arith::ConstantIndexOp::create(b, nl, op.getK());
          Value keep = arith::CmpIOp::create(b, nl, op.getUpper() ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
                                             diagonal, k);
          Value zero = arith::ConstantOp::create(b, nl, b.getZeroAttr(type.getElementType()));
          linalg::YieldOp::create(b, nl, ValueRange{arith::SelectOp::create(b, nl, keep, args[0], zero)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// CumSum as a reduction over a second loop j along the axis: out[i] = sum of x[j] for the
/// j that precede i (or follow it, reversed; exclusive leaves out j = i). Quadratic in the
/// axis length, which is fine for the position ids and masks exporters compute with it.
struct CumSumToLinalg : OpRewritePattern<onnx::CumSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::CumSumOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = normalizeAxis(op.getAxis(), rank);
    Type element = type.getElementType();
    Value init = createFilled(rewriter, loc, type, getDims(rewriter, loc, op.getInput()), rewriter.getZeroAttr(element));
    SmallVector<AffineExpr> inputExprs;
    for (int64_t i = 0; i < rank; ++i) inputExprs.push_back(rewriter.getAffineDimExpr(i == axis ? rank : i));
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, inputExprs, rewriter.getContext()),
                                   AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext()).shiftDims(0)};
    maps[1] = AffineMap::get(rank + 1, 0, maps[1].getResults(), rewriter.getContext());
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    arith::CmpIPredicate predicate = op.getReverse() ? (op.getExclusive() ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
                                                     : (op.getExclusive() ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{op.getInput()}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value i = linalg::IndexOp::create(b, nl, axis), j = linalg::IndexOp::create(b, nl, rank);
          Value counts = arith::CmpIOp::create(b, nl, predicate, j, i);
          Value zero = arith::ConstantOp::create(b, nl, b.getZeroAttr(element));
          Value term = arith::SelectOp::create(b, nl, counts, args[0], zero);
          Value sum = isa<FloatType>(element) ? arith::AddFOp::create(b, nl, args[1], term).getResult()
                                              : arith::AddIOp::create(b, nl, args[1], term).getResult();
          linalg::YieldOp::create(b, nl, sum);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populateGeneratorPatterns(RewritePatternSet &patterns) {
  patterns.add<RangeToLinalg, ConstantOfShapeToLinalg, TriluToLinalg, CumSumToLinalg>(patterns.getContext());
}

} // namespace edge
