//===- Indexing.cpp - Slice and GatherElements → tensor/linalg ------------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

/// Slice: each sliced dim's start and extent follow ONNX's clamping rules at run time
/// (negative starts/ends count from the end; then clamped to [0, n] for positive steps and
/// [-1, n - 1] for negative ones). Positive steps become tensor.extract_slice; a negative
/// step reads backwards through a linalg.generic.
struct SliceToTensor : OpRewritePattern<onnx::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SliceOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(rewriter, loc, v).getResult(); };
    auto clamp = [&](Value v, Value lo, Value hi) {
      return arith::MinSIOp::create(rewriter, loc, arith::MaxSIOp::create(rewriter, loc, v, lo), hi).getResult();
    };
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)), sizes = getDims(rewriter, loc, data),
        strides(rank, rewriter.getIndexAttr(1));
    SmallVector<Value> starts(rank), steps(rank);
    bool anyNegative = false;
    for (auto [k, axis] : llvm::enumerate(op.getAxes())) {
      int64_t step = op.getSteps()[k];
      Value n = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[axis]);
      auto fromEnd = [&](Value v) {
        Value negative = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, v, c(0));
        return arith::SelectOp::create(rewriter, loc, negative, arith::AddIOp::create(rewriter, loc, v, n), v).getResult();
      };
      Value start = fromEnd(extractIndex(rewriter, loc, op.getStarts(), k));
      Value end = fromEnd(extractIndex(rewriter, loc, op.getEnds(), k));
      Value count;
      if (step > 0) {
        start = clamp(start, c(0), n);
        end = clamp(end, c(0), n);
        count = arith::CeilDivSIOp::create(rewriter, loc, arith::SubIOp::create(rewriter, loc, end, start), c(step));
      } else {
        Value last = arith::SubIOp::create(rewriter, loc, n, c(1));
        start = clamp(start, c(-1), last);
        end = clamp(end, c(-1), last);
        count = arith::CeilDivSIOp::create(rewriter, loc, arith::SubIOp::create(rewriter, loc, start, end), c(-step));
        anyNegative = true;
      }
      offsets[axis] = start;
      sizes[axis] = arith::MaxSIOp::create(rewriter, loc, count, c(0)).getResult();
      strides[axis] = rewriter.getIndexAttr(step);
      starts[axis] = start;
      steps[axis] = c(step);
    }
    // Dims the importer proved static keep their static size (the op's result type).
    for (int64_t i = 0; i < rank; ++i)
      if (!type.isDynamicDim(i)) sizes[i] = rewriter.getIndexAttr(type.getDimSize(i));
    if (!anyNegative) {
      Value slice = tensor::ExtractSliceOp::create(rewriter, loc, type, data, offsets, sizes, strides);
      rewriter.replaceOp(op, slice);
      return success();
    }
    rewriter.replaceOp(op, createIndexedCopy(rewriter, loc, type, sizes, data,
                                             [&](OpBuilder &b, Location nl, int64_t d, Value index) -> Value {
                                               if (!starts[d]) return index;
                                               return arith::AddIOp::create(b, nl, starts[d],
                                                                            arith::MulIOp::create(b, nl, index, steps[d]));
                                             }));
    return success();
  }
};

/// out[i] = data[i with i[axis] = wrap(indices[i])]; indices wrap once if negative and are
/// clamped so that no index reads outside `data`.
struct GatherElementsToLinalg : OpRewritePattern<onnx::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherElementsOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = normalizeAxis(op.getAxis(), rank);
    Value axisSize = getValueOrCreateConstantIndexOp(rewriter, loc, getDim(rewriter, loc, data, axis));
    Value init = createEmpty(rewriter, loc, type, getDims(rewriter, loc, indices));
    auto identity = rewriter.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{indices}, ValueRange{init}, {identity, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value clamped = wrapAndClampIndex(b, nl, args[0], axisSize);
          SmallVector<Value> coords;
          for (int64_t i = 0; i < rank; ++i)
            coords.push_back(i == axis ? clamped : linalg::IndexOp::create(b, nl, i).getResult());
          linalg::YieldOp::create(b, nl, ValueRange{tensor::ExtractOp::create(b, nl, data, coords)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<SliceToTensor, GatherElementsToLinalg>(patterns.getContext());
}

} // namespace edge
