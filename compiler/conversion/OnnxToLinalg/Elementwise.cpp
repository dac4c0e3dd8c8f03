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
EDGE_ARITH_BINARY(onnx::MaxOp, arith::MaximumFOp, arith::MaxSIOp)
EDGE_ARITH_BINARY(onnx::MinOp, arith::MinimumFOp, arith::MinSIOp)
EDGE_ARITH_BINARY(onnx::AndOp, arith::AndIOp, arith::AndIOp)
EDGE_ARITH_BINARY(onnx::OrOp, arith::OrIOp, arith::OrIOp)
EDGE_ARITH_BINARY(onnx::XorOp, arith::XOrIOp, arith::XOrIOp)
#undef EDGE_ARITH_BINARY

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::PowOp op, ValueRange args, Type type) {
  if (isa<IntegerType>(type)) return math::IPowIOp::create(b, loc, args[0], args[1]);
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
EDGE_MATH_UNARY(onnx::ExpOp, math::ExpOp)
EDGE_MATH_UNARY(onnx::LogOp, math::LogOp)
EDGE_MATH_UNARY(onnx::SinOp, math::SinOp)
EDGE_MATH_UNARY(onnx::CosOp, math::CosOp)
EDGE_MATH_UNARY(onnx::FloorOp, math::FloorOp)
EDGE_MATH_UNARY(onnx::CeilOp, math::CeilOp)
#undef EDGE_MATH_UNARY

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::ReciprocalOp, ValueRange args, Type type) {
  Value one = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, 1.0));
  return arith::DivFOp::create(b, loc, one, args[0]);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::NegOp, ValueRange args, Type type) {
  if (isa<FloatType>(type)) return arith::NegFOp::create(b, loc, args[0]);
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
  return arith::SubIOp::create(b, loc, zero, args[0]);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::AbsOp, ValueRange args, Type type) {
  if (isa<FloatType>(type)) return math::AbsFOp::create(b, loc, args[0]);
  return math::AbsIOp::create(b, loc, args[0]);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::NotOp, ValueRange args, Type type) {
  Value one = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 1));
  return arith::XOrIOp::create(b, loc, args[0], one);
}


template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::ModOp op, ValueRange args, Type type) {
  if (isa<FloatType>(type)) return arith::RemFOp::create(b, loc, args[0], args[1]); // fmod = 1
  Value rem = arith::RemSIOp::create(b, loc, args[0], args[1]);
  if (op.getFmod()) return rem;
  // Python-style: the remainder takes the divisor's sign.
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
  Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
  Value remNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
  Value divisorNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, args[1], zero);
  Value signsDiffer = arith::XOrIOp::create(b, loc, remNegative, divisorNegative);
  Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
  return arith::SelectOp::create(b, loc, adjust, arith::AddIOp::create(b, loc, rem, args[1]), rem);
}

#define EDGE_COMPARE(OpTy, FloatPred, IntPred)                                           \
  template <>                                                                            \
  Value buildScalar(OpBuilder &b, Location loc, OpTy, ValueRange args, Type) {          \
    if (isa<FloatType>(args[0].getType()))                                               \
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::FloatPred, args[0], args[1]); \
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::IntPred, args[0], args[1]); \
  }
EDGE_COMPARE(onnx::EqualOp, OEQ, eq)
EDGE_COMPARE(onnx::GreaterOp, OGT, sgt)
EDGE_COMPARE(onnx::LessOp, OLT, slt)
EDGE_COMPARE(onnx::GreaterOrEqualOp, OGE, sge)
EDGE_COMPARE(onnx::LessOrEqualOp, OLE, sle)
#undef EDGE_COMPARE

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::WhereOp, ValueRange args, Type) {
  return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
}

template <>
Value buildScalar(OpBuilder &b, Location loc, onnx::CastOp, ValueRange args, Type type) {
  return convertScalar(b, loc, args[0], type);
}

/// True if the scalar body of OpTy is defined for `elementType` (of its first operand).
template <typename OpTy>
bool supportsElementType(Type elementType) {
  if constexpr (llvm::is_one_of<OpTy, onnx::CastOp, onnx::EqualOp, onnx::WhereOp>::value)
    return elementType.isIntOrFloat();
  if constexpr (llvm::is_one_of<OpTy, onnx::PowOp, onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp, onnx::MaxOp,
                                onnx::MinOp, onnx::ModOp, onnx::NegOp, onnx::AbsOp, onnx::GreaterOp, onnx::LessOp,
                                onnx::GreaterOrEqualOp, onnx::LessOrEqualOp>::value)
    return elementType.isIntOrFloat() && !elementType.isInteger(1);
  if constexpr (llvm::is_one_of<OpTy, onnx::AndOp, onnx::OrOp, onnx::XorOp, onnx::NotOp>::value)
    return elementType.isInteger(1);
  return isa<FloatType>(elementType);
}

template <typename OpTy>
struct ElementwiseToGeneric : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    // Where's first operand is the bool condition; its values decide the element type.
    Type operandElement = cast<RankedTensorType>(op->getOperand(std::is_same_v<OpTy, onnx::WhereOp> ? 1 : 0).getType()).getElementType();
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
               ElementwiseToGeneric<onnx::PowOp>, ElementwiseToGeneric<onnx::MaxOp>,
               ElementwiseToGeneric<onnx::MinOp>, ElementwiseToGeneric<onnx::ModOp>,
               ElementwiseToGeneric<onnx::EqualOp>, ElementwiseToGeneric<onnx::GreaterOp>,
               ElementwiseToGeneric<onnx::LessOp>, ElementwiseToGeneric<onnx::GreaterOrEqualOp>,
               ElementwiseToGeneric<onnx::LessOrEqualOp>, ElementwiseToGeneric<onnx::AndOp>,
               ElementwiseToGeneric<onnx::OrOp>, ElementwiseToGeneric<onnx::XorOp>,
               ElementwiseToGeneric<onnx::WhereOp>, ElementwiseToGeneric<onnx::ReluOp>,
               ElementwiseToGeneric<onnx::TanhOp>, ElementwiseToGeneric<onnx::SigmoidOp>,
               ElementwiseToGeneric<onnx::ErfOp>, ElementwiseToGeneric<onnx::SqrtOp>,
               ElementwiseToGeneric<onnx::ExpOp>, ElementwiseToGeneric<onnx::LogOp>,
               ElementwiseToGeneric<onnx::ReciprocalOp>, ElementwiseToGeneric<onnx::SinOp>,
               ElementwiseToGeneric<onnx::CosOp>, ElementwiseToGeneric<onnx::FloorOp>,
               ElementwiseToGeneric<onnx::CeilOp>, ElementwiseToGeneric<onnx::NegOp>,
               ElementwiseToGeneric<onnx::AbsOp>, ElementwiseToGeneric<onnx::NotOp>,
               ElementwiseToGeneric<onnx::CastOp>>(patterns.getContext());
}

} // namespace edge
