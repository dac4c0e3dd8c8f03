//===- Elementwise.cpp - unary/binary onnx ops → linalg.generic -----------===//
//
// Every elementwise op becomes one linalg.generic over the result's dims with numpy
// broadcasting maps; only the scalar body differs per op.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace edge {
namespace {

/// The scalar computation of one elementwise op on its (already loaded) operands.
template <typename OpTy>
Value buildScalar(OpBuilder &b, Location loc, OpTy op, ValueRange args, Type resultType);

#define EDGE_ARITH_BINARY(OpTy, FloatOp, IntOp)                                          \
  template <>                                                                            \
  Value buildScalar(OpBuilder &b, Location loc, OpTy, ValueRange args, Type type) {     \
    if (isa<FloatType>(type)) return FloatOp::create(b, loc, args[0], args[1]);         \
    return IntOp::create(b, loc, args[0], args[1]);                                      \
  }
EDGE_ARITH_BINARY(onnx::AddOp, arith::AddFOp, arith::AddIOp)
EDGE_ARITH_BINARY(onnx::SubOp, arith::SubFOp, arith::SubIOp)
EDGE_ARITH_BINARY(onnx::MulOp, arith::MulFOp, arith::MulIOp)
EDGE_ARITH_BINARY(onnx::DivOp, arith::DivFOp, arith::DivSIOp)
#undef EDGE_ARITH_BINARY

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::PowOp op, ValueRange args, Type) {
  // x^2 (variance in LayerNorm) is by far the most common exponent: one multiply.
  SplatElementsAttr splat;
  if (matchPattern(op.getRhs(), m_Constant(&splat)) && isa<FloatType>(splat.getElementType()) &&
      splat.getSplatValue<APFloat>().convertToDouble() == 2.0)
    return arith::MulFOp::create(b, loc, args[0], args[0]);
  return math::PowFOp::create(b, loc, args[0], args[1]);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::ReluOp, ValueRange args, Type type) {
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, 0.0));
  return arith::MaximumFOp::create(b, loc, args[0], zero);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::SigmoidOp, ValueRange args, Type type) {
  Value one = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, 1.0));
  Value negated = arith::NegFOp::create(b, loc, args[0]);
  Value denominator = arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negated));
  return arith::DivFOp::create(b, loc, one, denominator);
}

#define EDGE_MATH_UNARY(OpTy, MathOp)                                                   \
  template <>                                                                           \
  Value buildScalar(OpBuilder &b, Location loc, OpTy, ValueRange args, Type) {         \
    return MathOp::create(b, loc, args[0]);                                             \
  }
EDGE_MATH_UNARY(onnx::TanhOp, math::TanhOp)
EDGE_MATH_UNARY(onnx::ErfOp, math::ErfOp)
EDGE_MATH_UNARY(onnx::SqrtOp, math::SqrtOp)
#undef EDGE_MATH_UNARY

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::CastOp, ValueRange args, Type type) {
  return convertScalar(b, loc, args[0], type);
}

/// True if the scalar body of OpTy is defined for `elementType`.
template <typename OpTy>
bool supportsElementType(Type elementType) {
  if constexpr (std::is_same_v<OpTy, onnx::AddOp> || std::is_same_v<OpTy, onnx::SubOp> ||
                std::is_same_v<OpTy, onnx::MulOp> || std::is_same_v<OpTy, onnx::DivOp> ||
                std::is_same_v<OpTy, onnx::CastOp>)
    return elementType.isIntOrFloat();
  return isa<FloatType>(elementType);
}

template <typename OpTy>
struct ElementwiseToGeneric : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type operandElement = cast<RankedTensorType>(op->getOperand(0).getType()).getElementType();
    if (!supportsElementType<OpTy>(operandElement))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    ValueRange operands = op->getOperands();
    unsigned rank = resultType.getRank();
    SmallVector<AffineMap> maps;
    for (Value operand : operands)
      maps.push_back(getBroadcastMap(rewriter.getContext(),
                                     cast<RankedTensorType>(operand.getType()), resultType, rank));
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = createEmpty(rewriter, loc, resultType,
                             getBroadcastSizes(rewriter, loc, resultType, operands));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, operands, ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value result = buildScalar(b, nested, op, args.drop_back(), resultType.getElementType());
          linalg::YieldOp::create(b, nested, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseToGeneric<onnx::AddOp>, ElementwiseToGeneric<onnx::SubOp>,
               ElementwiseToGeneric<onnx::MulOp>, ElementwiseToGeneric<onnx::DivOp>,
               ElementwiseToGeneric<onnx::PowOp>, ElementwiseToGeneric<onnx::ReluOp>,
               ElementwiseToGeneric<onnx::TanhOp>, ElementwiseToGeneric<onnx::SigmoidOp>,
               ElementwiseToGeneric<onnx::ErfOp>, ElementwiseToGeneric<onnx::SqrtOp>,
               ElementwiseToGeneric<onnx::CastOp>>(patterns.getContext());
}

} // namespace edge
