//===- Shape.cpp - Reshape, Expand, Concat, Tile, Transpose, Gather → tensor/linalg ===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

/// tensor.reshape to the target shape read at run time: 0 copies the input dim (unless
/// allowzero) and -1 is the element count divided by the other dims. Dims the result
/// type knows are taken from it; canonicalization folds the rest when the shape is built
/// from constants and input dims.
struct ReshapeToTensor : OpRewritePattern<onnx::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ReshapeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getData();
    auto inputType = cast<RankedTensorType>(input.getType());
    RankedTensorType type = op.getType();
    auto asIndex = [&](OpFoldResult size) { return getValueOrCreateConstantIndexOp(rewriter, loc, size); };
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value minusOne = arith::ConstantIndexOp::create(rewriter, loc, -1);
    Value total = one;
    for (int64_t i = 0; i < inputType.getRank(); ++i)
      total = arith::MulIOp::create(rewriter, loc, total, asIndex(getDim(rewriter, loc, input, i)));

    SmallVector<Value> targets;
    Value known = one;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      Value target = extractIndex(rewriter, loc, op.getShape(), i);
      if (op.getAllowzero() == 0 && i < inputType.getRank()) {
        Value isZero = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, target, zero);
        target = arith::SelectOp::create(rewriter, loc, isZero, asIndex(getDim(rewriter, loc, input, i)), target);
      }
      Value isInferred = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, target, minusOne);
      known = arith::MulIOp::create(rewriter, loc, known, arith::SelectOp::create(rewriter, loc, isInferred, one, target));
      targets.push_back(target);
    }
    Value inferred = arith::DivUIOp::create(rewriter, loc, total, arith::MaxUIOp::create(rewriter, loc, known, one));
    SmallVector<Value> dims;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (!type.isDynamicDim(i)) {
        dims.push_back(arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(i)));
        continue;
      }
      Value isInferred = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, targets[i], minusOne);
      dims.push_back(arith::SelectOp::create(rewriter, loc, isInferred, inferred, targets[i]));
    }
    auto shapeType = RankedTensorType::get({type.getRank()}, rewriter.getIndexType());
    Value shape = tensor::FromElementsOp::create(rewriter, loc, shapeType, dims);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type, input, shape);
    return success();
  }
};

/// Expand: a broadcasting copy; a result dim is the shape's entry, or the data's where
/// the entry is 1.
struct ExpandToLinalg : OpRewritePattern<onnx::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ExpandOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData();
    auto dataType = cast<RankedTensorType>(data.getType());
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t shapeLength = cast<RankedTensorType>(op.getShape().getType()).getDimSize(0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i) {
      if (!type.isDynamicDim(i)) {
        sizes.push_back(rewriter.getIndexAttr(type.getDimSize(i)));
        continue;
      }
      int64_t di = i - (rank - dataType.getRank()), ti = i - (rank - shapeLength);
      bool dataIsOne = di < 0 || dataType.getDimSize(di) == 1;
      if (ti < 0) {
        sizes.push_back(getDim(rewriter, loc, data, di));
        continue;
      }
      Value target = extractIndex(rewriter, loc, op.getShape(), ti);
      if (dataIsOne) {
        sizes.push_back(target);
        continue;
      }
      Value targetIsOne = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, target, one);
      Value dataDim = getValueOrCreateConstantIndexOp(rewriter, loc, getDim(rewriter, loc, data, di));
      sizes.push_back(arith::SelectOp::create(rewriter, loc, targetIsOne, dataDim, target).getResult());
    }
    Value init = createEmpty(rewriter, loc, type, sizes);
    SmallVector<AffineMap> maps = {getBroadcastMap(rewriter.getContext(), dataType, type, rank),
                                   rewriter.getMultiDimIdentityMap(rank)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{data}, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location nl, ValueRange args) { linalg::YieldOp::create(b, nl, args[0]); });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Concat: each input inserted at its offset along the axis of one destination.
struct ConcatToTensor : OpRewritePattern<onnx::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = normalizeAxis(op.getAxis(), rank);
    Value first = op.getInputs().front();
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i) sizes.push_back(getDim(rewriter, loc, first, i));
    Value extent = arith::ConstantIndexOp::create(rewriter, loc, 0);
    SmallVector<Value> offsets;
    for (Value input : op.getInputs()) {
      offsets.push_back(extent);
      extent = arith::AddIOp::create(rewriter, loc, extent,
                                     getValueOrCreateConstantIndexOp(rewriter, loc, getDim(rewriter, loc, input, axis)));
    }
    sizes[axis] = extent;
    Value result = createEmpty(rewriter, loc, type, sizes);
    for (auto [input, offset] : llvm::zip(op.getInputs(), offsets)) {
      SmallVector<OpFoldResult> at(rank, rewriter.getIndexAttr(0)), extents, strides(rank, rewriter.getIndexAttr(1));
      at[axis] = offset;
      for (int64_t i = 0; i < rank; ++i) extents.push_back(getDim(rewriter, loc, input, i));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result, at, extents, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Tile: out[i] = in[i mod dim] for every dim.
struct TileToLinalg : OpRewritePattern<onnx::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TileOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> sizes;
    SmallVector<Value> dims;
    for (int64_t i = 0; i < rank; ++i) {
      Value dim = getValueOrCreateConstantIndexOp(rewriter, loc, getDim(rewriter, loc, input, i));
      dims.push_back(dim);
      Value repeats = arith::ConstantIndexOp::create(rewriter, loc, op.getRepeats()[i]);
      sizes.push_back(arith::MulIOp::create(rewriter, loc, dim, repeats).getResult());
    }
    rewriter.replaceOp(op, createIndexedCopy(rewriter, loc, type, sizes, input,
                                             [&](OpBuilder &b, Location nl, int64_t d, Value index) -> Value {
                                               return arith::RemUIOp::create(b, nl, index, dims[d]);
                                             }));
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
          Value clamped = wrapAndClampIndex(b, nl, args[0], axisSize);
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
  patterns.add<ReshapeToTensor, ExpandToLinalg, ConcatToTensor, TileToLinalg, TransposeToLinalg, GatherToLinalg>(
      patterns.getContext());
}

} // namespace edge
