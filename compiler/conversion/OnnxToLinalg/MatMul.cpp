//===- MatMul.cpp - MatMul and Gemm → contraction linalg.generic ----------===//
//
// One contraction builder serves MatMul (batched, broadcast batch dims) and Gemm
// (transposed operands): loops (batch..., m, n, k), each operand's map aligned to the
// trailing batch dims, a 0 index where a batch dim broadcasts. The tiling pass recognizes
// these generics through linalg's contraction interface.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;

namespace edge {
namespace {

/// Map of an operand [batch..., rows, cols] inside the (batch..., m, n, k) loop nest.
AffineMap operandMap(MLIRContext *context, RankedTensorType operand, RankedTensorType result,
                     unsigned rowLoop, unsigned colLoop) {
  unsigned numLoops = result.getRank() + 1;
  int64_t batchRank = operand.getRank() - 2, resultBatchRank = result.getRank() - 2;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < batchRank; ++i) {
    int64_t loop = i + (resultBatchRank - batchRank);
    if (operand.getDimSize(i) == 1 && result.getDimSize(loop) != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(loop, context));
  }
  exprs.push_back(getAffineDimExpr(rowLoop, context));
  exprs.push_back(getAffineDimExpr(colLoop, context));
  return AffineMap::get(numLoops, 0, exprs, context);
}

/// result[batch, m, n] = sum_k a[batch, m, k] * b[batch, k, n], with `transA`/`transB`
/// swapping the last two dims of an operand.
FailureOr<Value> buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                                  RankedTensorType resultType, bool transA, bool transB) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2 || !isa<FloatType>(resultType.getElementType()))
    return failure();
  MLIRContext *context = b.getContext();
  unsigned rank = resultType.getRank(), m = rank - 2, n = rank - 1, k = rank;
  SmallVector<AffineMap> maps = {
      transA ? operandMap(context, lhsType, resultType, k, m) : operandMap(context, lhsType, resultType, m, k),
      transB ? operandMap(context, rhsType, resultType, n, k) : operandMap(context, rhsType, resultType, k, n),
      AffineMap::getMultiDimIdentityMap(rank + 1, context).getMajorSubMap(rank)};

  // Result sizes: batch dims broadcast from both operands, M from lhs, N from rhs.
  SmallVector<OpFoldResult> sizes;
  for (unsigned i = 0; i < m; ++i) {
    OpFoldResult size = b.getIndexAttr(1);
    for (Value operand : {lhs, rhs}) {
      auto type = cast<RankedTensorType>(operand.getType());
      int64_t j = i - (rank - type.getRank());
      if (j >= 0 && type.getDimSize(j) != 1) {
        size = getDim(b, loc, operand, j);
        break;
      }
    }
    sizes.push_back(size);
  }
  sizes.push_back(getDim(b, loc, lhs, lhsType.getRank() - (transA ? 1 : 2)));
  sizes.push_back(getDim(b, loc, rhs, rhsType.getRank() - (transB ? 2 : 1)));
  Value init = createFilled(b, loc, resultType, sizes, b.getZeroAttr(resultType.getElementType()));

  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{lhs, rhs}, ValueRange{init}, maps, iterators,
      [](OpBuilder &nb, Location nl, ValueRange args) {
        Value product = arith::MulFOp::create(nb, nl, args[0], args[1]);
        linalg::YieldOp::create(nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args[2], product)});
      });
  return generic.getResult(0);
}

struct MatMulToContraction : OpRewritePattern<onnx::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, PatternRewriter &rewriter) const override {
    FailureOr<Value> result = buildContraction(rewriter, op.getLoc(), op.getLhs(), op.getRhs(),
                                               op.getType(), false, false);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "only float operands of rank >= 2 are supported");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Y = alpha * op(A) op(B) + beta * C; the scaling and C (broadcast) fold into one
/// elementwise generic after the contraction.
struct GemmToContraction : OpRewritePattern<onnx::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    FailureOr<Value> product = buildContraction(rewriter, loc, op.getA(), op.getB(), type,
                                                op.getTransA() != 0, op.getTransB() != 0);
    if (failed(product)) return rewriter.notifyMatchFailure(op, "only float operands are supported");
    float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
    Value c = op.getC();
    if (alpha == 1.0f && (!c || beta == 0.0f)) {
      rewriter.replaceOp(op, *product);
      return success();
    }
    SmallVector<Value> inputs = {*product};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(2)};
    if (c && beta != 0.0f) {
      inputs.push_back(c);
      maps.push_back(getBroadcastMap(rewriter.getContext(), cast<RankedTensorType>(c.getType()), type, 2));
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(2));
    Value init = createEmpty(rewriter, loc, type, {getDim(rewriter, loc, *product, 0), getDim(rewriter, loc, *product, 1)});
    Type element = type.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, inputs, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value result = args[0];
          if (alpha != 1.0f)
            result = arith::MulFOp::create(b, nl, result, arith::ConstantOp::create(b, nl, b.getFloatAttr(element, alpha)));
          if (inputs.size() == 2) {
            Value scaled = args[1];
            if (beta != 1.0f)
              scaled = arith::MulFOp::create(b, nl, scaled, arith::ConstantOp::create(b, nl, b.getFloatAttr(element, beta)));
            result = arith::AddFOp::create(b, nl, result, scaled);
          }
          linalg::YieldOp::create(b, nl, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Einsum: one linalg.generic with a loop per letter, the output's letters first
/// (parallel) and the summed ones after (reduction); a static 1 dim facing a wider extent
/// reads index 0 (broadcasting).
struct EinsumToContraction : OpRewritePattern<onnx::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::EinsumOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto [lhs, output] = op.getEquation().split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    std::string letters = output.str();
    for (StringRef term : terms)
      for (char c : term)
        if (letters.find(c) == std::string::npos) letters += c;
    // Each letter's extent: from an operand dim that is not a static 1, if there is one.
    SmallVector<OpFoldResult> extents(letters.size());
    SmallVector<bool> wide(letters.size(), false);
    for (auto [term, input] : llvm::zip(terms, op.getInputs())) {
      auto inputType = cast<RankedTensorType>(input.getType());
      for (auto [d, c] : llvm::enumerate(term)) {
        size_t l = letters.find(c);
        bool one = inputType.getDimSize(d) == 1;
        if (!extents[l] || (!wide[l] && !one)) {
          extents[l] = getDim(rewriter, loc, input, d);
          wide[l] = !one;
        }
      }
    }
    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineMap> maps;
    for (auto [term, input] : llvm::zip(terms, op.getInputs())) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<AffineExpr> exprs;
      for (auto [d, c] : llvm::enumerate(term)) {
        size_t l = letters.find(c);
        exprs.push_back(inputType.getDimSize(d) == 1 && wide[l] ? getAffineConstantExpr(0, context)
                                                                 : getAffineDimExpr(l, context));
      }
      maps.push_back(AffineMap::get(letters.size(), 0, exprs, context));
    }
    SmallVector<AffineExpr> outputExprs;
    for (size_t l = 0; l < output.size(); ++l) outputExprs.push_back(getAffineDimExpr(l, context));
    maps.push_back(AffineMap::get(letters.size(), 0, outputExprs, context));
    SmallVector<utils::IteratorType> iterators(letters.size(), utils::IteratorType::reduction);
    for (size_t l = 0; l < output.size(); ++l) iterators[l] = utils::IteratorType::parallel;
    SmallVector<OpFoldResult> outputSizes(extents.begin(), extents.begin() + output.size());
    Value init = createFilled(rewriter, loc, type, outputSizes, rewriter.getZeroAttr(element));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, op.getInputs(), ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location nl, ValueRange args) {
          bool isFloat = isa<FloatType>(element);
          Value product = args[0];
          for (Value v : args.drop_front().drop_back())
            product = isFloat ? arith::MulFOp::create(b, nl, product, v).getResult()
                              : arith::MulIOp::create(b, nl, product, v).getResult();
          Value sum = isFloat ? arith::AddFOp::create(b, nl, args.back(), product).getResult()
                              : arith::AddIOp::create(b, nl, args.back(), product).getResult();
          linalg::YieldOp::create(b, nl, sum);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populateMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulToContraction, GemmToContraction, EinsumToContraction>(patterns.getContext());
}

} // namespace edge
