//===- OnnxDialect.cpp - onnx dialect and op verifiers --------------------===//
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace edge::onnx;

#include "dialects/onnx/IR/OnnxOpsDialect.cpp.inc"

void OnnxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/onnx/IR/OnnxOps.cpp.inc"
      >();
}

/// Checks that `lhs` and `rhs` broadcast (numpy rules) to `result`.
static LogicalResult verifyBroadcast(Operation *op, RankedTensorType lhs, RankedTensorType rhs,
                                     RankedTensorType result) {
  int64_t rank = std::max(lhs.getRank(), rhs.getRank());
  if (result.getRank() != rank)
    return op->emitOpError() << "result rank " << result.getRank() << ", expected " << rank;
  for (int64_t i = 0; i < rank; ++i) {
    auto dimOf = [&](RankedTensorType t) -> int64_t {
      int64_t j = i - (rank - t.getRank());
      return j < 0 ? 1 : t.getDimSize(j);
    };
    int64_t a = dimOf(lhs), b = dimOf(rhs);
    if (a != 1 && b != 1 && !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return op->emitOpError() << "operand dims " << a << " and " << b << " at result dim " << i
                               << " do not broadcast";
  }
  return success();
}

#define EDGE_VERIFY_BINARY(OpClass)                                                   \
  LogicalResult OpClass::verify() {                                                   \
    return verifyBroadcast(*this, getLhs().getType(), getRhs().getType(), getType()); \
  }
EDGE_VERIFY_BINARY(AddOp)
EDGE_VERIFY_BINARY(SubOp)
EDGE_VERIFY_BINARY(MulOp)
EDGE_VERIFY_BINARY(DivOp)
EDGE_VERIFY_BINARY(PowOp)
#undef EDGE_VERIFY_BINARY

/// Checks that `axis` is in [-rank, rank).
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << what << " " << axis << " out of range for rank " << rank;
  return success();
}

LogicalResult MatMulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return emitOpError("operands must have rank >= 1");
  int64_t k0 = lhs.getDimSize(lhs.getRank() - 1);
  int64_t k1 = rhs.getDimSize(rhs.getRank() >= 2 ? rhs.getRank() - 2 : 0);
  if (!ShapedType::isDynamic(k0) && !ShapedType::isDynamic(k1) && k0 != k1)
    return emitOpError() << "contraction dims differ: " << k0 << " vs " << k1;
  return success();
}

LogicalResult GemmOp::verify() {
  if (getA().getType().getRank() != 2 || getB().getType().getRank() != 2)
    return emitOpError("A and B must be 2-D");
  int64_t kA = getA().getType().getDimSize(getTransA() ? 0 : 1);
  int64_t kB = getB().getType().getDimSize(getTransB() ? 1 : 0);
  if (!ShapedType::isDynamic(kA) && !ShapedType::isDynamic(kB) && kA != kB)
    return emitOpError() << "contraction dims differ: " << kA << " vs " << kB;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType().getRank(), "axis");
}

LogicalResult ReduceMeanOp::verify() {
  int64_t rank = getInput().getType().getRank();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : getAxes()) {
    if (failed(verifyAxis(*this, axis, rank, "axis"))) return failure();
    if (!seen.insert(axis < 0 ? axis + rank : axis).second)
      return emitOpError() << "axis " << axis << " repeated";
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  int64_t inferred = llvm::count(getShape(), -1);
  if (inferred > 1) return emitOpError("at most one -1 in shape");
  if (static_cast<int64_t>(getShape().size()) != getType().getRank())
    return emitOpError() << "shape has " << getShape().size() << " dims, result rank is "
                         << getType().getRank();
  for (int64_t d : getShape())
    if (d < -1) return emitOpError() << "invalid target dim " << d;
  return success();
}

LogicalResult TransposeOp::verify() {
  int64_t rank = getData().getType().getRank();
  if (static_cast<int64_t>(getPerm().size()) != rank)
    return emitOpError() << "perm has " << getPerm().size() << " entries for rank " << rank;
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t p : getPerm())
    if (p < 0 || p >= rank || !seen.insert(p).second)
      return emitOpError() << "perm is not a permutation of [0, " << rank << ")";
  return success();
}

LogicalResult GatherOp::verify() {
  if (!getIndices().getType().getElementType().isInteger())
    return emitOpError("indices must be integers");
  return verifyAxis(*this, getAxis(), getData().getType().getRank(), "axis");
}

#define GET_OP_CLASSES
#include "dialects/onnx/IR/OnnxOps.cpp.inc"
