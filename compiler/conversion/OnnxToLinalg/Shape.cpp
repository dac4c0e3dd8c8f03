//===- Shape.cpp - Reshape, Transpose, Gather → tensor/linalg -------------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

/// tensor.reshape to the target shape computed at run time: 0 copies the input dim
/// (unless allowzero), -1 is the element count divided by the other target dims.
struct ReshapeToTensor : OpRewritePattern<onnx::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ReshapeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getData();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto asIndex = [&](OpFoldResult size) { return getValueOrCreateConstantIndexOp(rewriter, loc, size); };
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t i = 0; i < inputType.getRank(); ++i)
      total = arith::MulIOp::create(rewriter, loc, total, asIndex(getDim(rewriter, loc, input, i)));

    SmallVector<Value> dims;
    int64_t inferredAt = -1;
    Value known = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (auto [i, target] : llvm::enumerate(op.getShape())) {
      Value dim;
      if (target == -1) {
        inferredAt = i;
        dims.push_back(nullptr);
        continue;
      }
      if (target == 0 && op.getAllowzero() == 0) {
        if (static_cast<int64_t>(i) >= inputType.getRank())
          return rewriter.notifyMatchFailure(op, "0 in shape beyond the input rank");
        dim = asIndex(getDim(rewriter, loc, input, i));
      } else {
        dim = arith::ConstantIndexOp::create(rewriter, loc, target);
      }
      known = arith::MulIOp::create(rewriter, loc, known, dim);
      dims.push_back(dim);
    }
    if (inferredAt >= 0) dims[inferredAt] = arith::DivUIOp::create(rewriter, loc, total, known);
    auto shapeType = RankedTensorType::get({static_cast<int64_t>(dims.size())}, rewriter.getIndexType());
    Value shape = tensor::FromElementsOp::create(rewriter, loc, shapeType, dims);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, op.getType(), input, shape);
    return success();
  }
};

struct TransposeToLinalg : OpRewritePattern<onnx::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : op.getPerm()) sizes.push_back(getDim(rewriter, loc, op.getData(), p));
    Value init = createEmpty(rewriter, loc, op.getType(), sizes);
    auto transpose = linalg::TransposeOp::create(rewriter, loc, op.getData(), init, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

/// out[pre..., idx..., post...] = data[pre..., wrap(indices[idx...]), post...], where
/// wrap adds the dim to a negative index and clamps to [0, dim - 1] so that no index can
/// read outside `data`.
struct GatherToLinalg : OpRewritePattern<onnx::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    RankedTensorType type = op.getType();
    int64_t axis = normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t indexRank = indicesType.getRank();

    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < axis; ++i) sizes.push_back(getDim(rewriter, loc, data, i));
    for (int64_t i = 0; i < indexRank; ++i) sizes.push_back(getDim(rewriter, loc, indices, i));
    for (int64_t i = axis + 1; i < dataType.getRank(); ++i) sizes.push_back(getDim(rewriter, loc, data, i));
    Value init = createEmpty(rewriter, loc, type, sizes);
    Value axisSize = getValueOrCreateConstantIndexOp(rewriter, loc, getDim(rewriter, loc, data, axis));

    unsigned rank = type.getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i) indexExprs.push_back(rewriter.getAffineDimExpr(axis + i));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, rewriter.getContext()),
                                   rewriter.getMultiDimIdentityMap(rank)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{indices}, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value index = arith::IndexCastOp::create(b, nl, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, nl, 0);
          Value one = arith::ConstantIndexOp::create(b, nl, 1);
          Value isNegative = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::SelectOp::create(b, nl, isNegative, arith::AddIOp::create(b, nl, index, axisSize), index);
          Value last = arith::SubIOp::create(b, nl, axisSize, one);
          Value clamped = arith::MaxSIOp::create(b, nl, zero, arith::MinSIOp::create(b, nl, wrapped, last));
          SmallVector<Value> coords;
          for (int64_t i = 0; i < axis; ++i) coords.push_back(linalg::IndexOp::create(b, nl, i));
          coords.push_back(clamped);
          for (int64_t i = axis + 1; i < dataType.getRank(); ++i)
            coords.push_back(linalg::IndexOp::create(b, nl, i - 1 + indexRank));
          Value element = tensor::ExtractOp::create(b, nl, data, coords);
          linalg::YieldOp::create(b, nl, element);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeToTensor, TransposeToLinalg, GatherToLinalg>(patterns.getContext());
}

} // namespace edge
