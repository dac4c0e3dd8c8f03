//===- Helpers.cpp - shared helpers of the onnx → linalg patterns ---------===//
#include "compiler/conversion/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {

OpFoldResult getDim(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(dim)) return b.getIndexAttr(type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, tensor, dim).getResult();
}

Value extractIndex(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  Value position = arith::ConstantIndexOp::create(b, loc, i);
  Value element = tensor::ExtractOp::create(b, loc, tensor, ValueRange{position});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
}

Value wrapAndClampIndex(OpBuilder &b, Location loc, Value index, Value size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, i, size), i);
  Value last = arith::SubIOp::create(b, loc, size, one);
  return arith::MaxSIOp::create(b, loc, zero, arith::MinSIOp::create(b, loc, wrapped, last));
}

Value createIndexedCopy(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<OpFoldResult> sizes, Value source,
                        function_ref<Value(OpBuilder &, Location, int64_t, Value)> coordinate) {
  int64_t rank = type.getRank();
  Value init = createEmpty(b, loc, type, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{init}, {b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> coords;
        for (int64_t d = 0; d < rank; ++d) coords.push_back(coordinate(nb, nl, d, linalg::IndexOp::create(nb, nl, d)));
        linalg::YieldOp::create(nb, nl, ValueRange{tensor::ExtractOp::create(nb, nl, source, coords)});
      });
  return generic.getResult(0);
}

SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0, e = cast<RankedTensorType>(tensor.getType()).getRank(); i < e; ++i)
    dims.push_back(getDim(b, loc, tensor, i));
  return dims;
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> mixed;
  for (int64_t i = 0; i < type.getRank(); ++i)
    mixed.push_back(type.isDynamicDim(i) ? sizes[i] : b.getIndexAttr(type.getDimSize(i)));
  return tensor::EmptyOp::create(b, loc, mixed, type.getElementType());
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, TypedAttr value) {
  Value empty = createEmpty(b, loc, type, sizes);
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty}).getResult(0);
}

AffineMap getBroadcastMap(MLIRContext *context, RankedTensorType operand,
                          RankedTensorType result, unsigned numLoops, unsigned firstLoop) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.getRank() - operand.getRank();
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    int64_t resultDim = result.getDimSize(i + offset);
    if (operand.getDimSize(i) == 1 && resultDim != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(firstLoop + i + offset, context));
  }
  return AffineMap::get(numLoops, 0, exprs, context);
}

SmallVector<OpFoldResult> getBroadcastSizes(OpBuilder &b, Location loc,
                                            RankedTensorType resultType, ValueRange operands) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < resultType.getRank(); ++i) {
    OpFoldResult size = b.getIndexAttr(resultType.isDynamicDim(i) ? 1 : resultType.getDimSize(i));
    if (resultType.isDynamicDim(i)) {
      for (Value operand : operands) {
        auto type = cast<RankedTensorType>(operand.getType());
        int64_t j = i - (resultType.getRank() - type.getRank());
        if (j >= 0 && type.getDimSize(j) != 1) {
          size = getDim(b, loc, operand, j);
          break;
        }
      }
    }
    sizes.push_back(size);
  }
  return sizes;
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to) return value;
  auto fromFloat = dyn_cast<FloatType>(from), toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? arith::ExtFOp::create(b, loc, to, value).getResult()
               : arith::TruncFOp::create(b, loc, to, value).getResult();
  bool fromBool = from.isInteger(1), toBool = to.isInteger(1);
  if (fromFloat) {
    if (toBool) {  // nonzero → true
      Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(from, 0.0));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value, zero);
    }
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  if (toFloat)
    return fromBool ? arith::UIToFPOp::create(b, loc, to, value).getResult()
                    : arith::SIToFPOp::create(b, loc, to, value).getResult();
  if (toBool) {
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return fromBool ? arith::ExtUIOp::create(b, loc, to, value).getResult()
                    : arith::ExtSIOp::create(b, loc, to, value).getResult();
  return arith::TruncIOp::create(b, loc, to, value);
}

} // namespace edge
