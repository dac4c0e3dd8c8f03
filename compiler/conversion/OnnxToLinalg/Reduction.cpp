//===- Reduction.cpp - Softmax and ReduceMean/Sum/Max → linalg -------------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

/// linalg.softmax, decomposed right away into linalg's max / exp-sub / sum / div generics
/// (MLIR's own decomposition), so that later passes see plain structured ops.
struct SoftmaxToLinalg : OpRewritePattern<onnx::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SoftmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    if (!isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "softmax needs a float tensor");
    int64_t axis = normalizeAxis(op.getAxis(), type.getRank());
    Value init = createEmpty(rewriter, loc, type, getDims(rewriter, loc, op.getInput()));
    auto softmax = linalg::SoftmaxOp::create(rewriter, loc, type, op.getInput(), init, axis);
    FailureOr<SmallVector<Value>> decomposed = softmax.decomposeOperation(rewriter);
    if (failed(decomposed)) return rewriter.notifyMatchFailure(op, "softmax decomposition failed");
    rewriter.replaceOp(op, *decomposed);
    rewriter.eraseOp(softmax);
    return success();
  }
};

/// The identity and the combining step of each reduction.
TypedAttr reductionInit(onnx::ReduceMeanOp, OpBuilder &b, Type t) { return b.getZeroAttr(t); }
TypedAttr reductionInit(onnx::ReduceSumOp, OpBuilder &b, Type t) { return b.getZeroAttr(t); }
TypedAttr reductionInit(onnx::ReduceMaxOp, OpBuilder &b, Type t) {
  if (auto f = dyn_cast<FloatType>(t))
    return b.getFloatAttr(t, APFloat::getInf(f.getFloatSemantics(), /*Negative=*/true));
  return b.getIntegerAttr(t, APInt::getSignedMinValue(t.getIntOrFloatBitWidth()));
}
Value combine(onnx::ReduceMaxOp, OpBuilder &b, Location loc, Value x, Value acc) {
  if (isa<FloatType>(x.getType())) return arith::MaximumFOp::create(b, loc, x, acc);
  return arith::MaxSIOp::create(b, loc, x, acc);
}
template <typename OpTy>
Value combine(OpTy, OpBuilder &b, Location loc, Value x, Value acc) {
  if (isa<FloatType>(x.getType())) return arith::AddFOp::create(b, loc, x, acc);
  return arith::AddIOp::create(b, loc, x, acc);
}

/// linalg.reduce over the axes (ReduceMean then divides by the number of reduced
/// elements); the kept 1-dims (keepdims) come back with tensor.expand_shape.
template <typename OpTy>
struct ReduceToLinalg : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type element = inputType.getElementType();
    constexpr bool isMean = std::is_same_v<OpTy, onnx::ReduceMeanOp>;
    if (isMean && !isa<FloatType>(element)) return rewriter.notifyMatchFailure(op, "ReduceMean needs floats");
    int64_t rank = inputType.getRank();
    llvm::SmallVector<bool> reduced(rank, op.getAxes().empty());
    for (int64_t axis : op.getAxes()) reduced[normalizeAxis(axis, rank)] = true;

    SmallVector<int64_t> dimensions, keptShape;
    SmallVector<OpFoldResult> keptSizes;
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t i = 0; i < rank; ++i) {
      OpFoldResult size = getDim(rewriter, loc, input, i);
      if (reduced[i]) {
        dimensions.push_back(i);
        count = arith::MulIOp::create(rewriter, loc, count,
                                      getValueOrCreateConstantIndexOp(rewriter, loc, size));
      } else {
        keptShape.push_back(inputType.getDimSize(i));
        keptSizes.push_back(size);
      }
    }
    auto keptType = RankedTensorType::get(keptShape, element);
    Value init = createFilled(rewriter, loc, keptType, keptSizes, reductionInit(op, rewriter, element));
    Value sum = linalg::ReduceOp::create(
                    rewriter, loc, ValueRange{input}, ValueRange{init}, dimensions,
                    [&](OpBuilder &b, Location nl, ValueRange args) {
                      linalg::YieldOp::create(b, nl, ValueRange{combine(op, b, nl, args[0], args[1])});
                    })
                    .getResult(0);
    unsigned keptRank = keptShape.size();
    Value mean = sum;
    if constexpr (isMean) {
    Value countInt = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count);
    Value divisor = arith::SIToFPOp::create(rewriter, loc, element, countInt);
    auto identity = rewriter.getMultiDimIdentityMap(keptRank);
    mean = linalg::GenericOp::create(
                     rewriter, loc, TypeRange{keptType}, ValueRange{sum},
                     ValueRange{createEmpty(rewriter, loc, keptType, keptSizes)},
                     SmallVector<AffineMap>{identity, identity},
                     SmallVector<utils::IteratorType>(keptRank, utils::IteratorType::parallel),
                     [&](OpBuilder &b, Location nl, ValueRange args) {
                       linalg::YieldOp::create(b, nl, ValueRange{arith::DivFOp::create(b, nl, args[0], divisor)});
                     })
                     .getResult(0);
    }
    if (op.getKeepdims() == 0) {
      rewriter.replaceOp(op, mean);
      return success();
    }
    // Re-insert the reduced dims as 1s: each group holds one kept dim and the reduced
    // dims around it (leading reduced dims join the first group).
    SmallVector<ReassociationIndices> groups;
    SmallVector<OpFoldResult> outputSizes;
    bool groupHasKeptDim = false;
    for (int64_t i = 0; i < rank; ++i) {
      outputSizes.push_back(reduced[i] ? rewriter.getIndexAttr(1) : getDim(rewriter, loc, input, i));
      if (groups.empty() || (!reduced[i] && groupHasKeptDim)) {
        groups.push_back({});
        groupHasKeptDim = false;
      }
      groups.back().push_back(i);
      groupHasKeptDim |= !reduced[i];
    }
    if (keptRank == 0) groups.clear();
    Value expanded = tensor::ExpandShapeOp::create(rewriter, loc, op.getType(), mean, groups, outputSizes);
    rewriter.replaceOp(op, expanded);
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxToLinalg, ReduceToLinalg<onnx::ReduceMeanOp>, ReduceToLinalg<onnx::ReduceSumOp>,
               ReduceToLinalg<onnx::ReduceMaxOp>>(patterns.getContext());
}

} // namespace edge
