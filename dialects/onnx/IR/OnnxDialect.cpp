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
EDGE_VERIFY_BINARY(MaxOp)
EDGE_VERIFY_BINARY(MinOp)
EDGE_VERIFY_BINARY(ModOp)
EDGE_VERIFY_BINARY(EqualOp)
EDGE_VERIFY_BINARY(GreaterOp)
EDGE_VERIFY_BINARY(LessOp)
EDGE_VERIFY_BINARY(GreaterOrEqualOp)
EDGE_VERIFY_BINARY(LessOrEqualOp)
EDGE_VERIFY_BINARY(AndOp)
EDGE_VERIFY_BINARY(OrOp)
EDGE_VERIFY_BINARY(XorOp)
#undef EDGE_VERIFY_BINARY

LogicalResult WhereOp::verify() {
  if (!getCondition().getType().getElementType().isInteger(1))
    return emitOpError("condition must be a bool (i1) tensor");
  RankedTensorType result = getType();
  for (Value operand : getOperands()) {
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getRank() > result.getRank()) return emitOpError("an operand has a higher rank than the result");
    for (int64_t i = 0; i < type.getRank(); ++i) {
      int64_t d = type.getDimSize(i), r = result.getDimSize(i + result.getRank() - type.getRank());
      if (d != 1 && !ShapedType::isDynamic(d) && !ShapedType::isDynamic(r) && d != r)
        return emitOpError() << "operand dim " << d << " does not broadcast to " << r;
    }
  }
  return success();
}

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

LogicalResult EinsumOp::verify() {
  StringRef equation = getEquation();
  auto [lhs, output] = equation.split("->");
  if (!equation.contains("->")) return emitOpError("equation must be explicit (with '->')");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != getInputs().size())
    return emitOpError() << "equation has " << terms.size() << " operand terms for " << getInputs().size() << " inputs";
  for (auto [term, input] : llvm::zip(terms, getInputs())) {
    if (static_cast<int64_t>(term.size()) != cast<RankedTensorType>(input.getType()).getRank())
      return emitOpError() << "term '" << term << "' does not match an operand of rank "
                           << cast<RankedTensorType>(input.getType()).getRank();
    if (!llvm::all_of(term, [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
      return emitOpError() << "term '" << term << "' must be letters only";
  }
  if (static_cast<int64_t>(output.size()) != getType().getRank())
    return emitOpError() << "output term '" << output << "' does not match the result rank";
  for (char c : output)
    if (!lhs.contains(c)) return emitOpError() << "output letter '" << c << "' appears in no operand";
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

/// Checks that `axes` are in range and distinct.
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank) {
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    if (failed(verifyAxis(op, axis, rank, "axis"))) return failure();
    if (!seen.insert(axis < 0 ? axis + rank : axis).second)
      return op->emitOpError() << "axis " << axis << " repeated";
  }
  return success();
}

LogicalResult ReduceMeanOp::verify() { return verifyAxes(*this, getAxes(), getInput().getType().getRank()); }
LogicalResult ReduceSumOp::verify() { return verifyAxes(*this, getAxes(), getInput().getType().getRank()); }
LogicalResult ReduceMaxOp::verify() { return verifyAxes(*this, getAxes(), getInput().getType().getRank()); }

LogicalResult CumSumOp::verify() { return verifyAxis(*this, getAxis(), getType().getRank(), "axis"); }

/// Checks that `shape` is a 1-D integer tensor with `length` entries.
static LogicalResult verifyShapeOperand(Operation *op, RankedTensorType shape, int64_t length,
                                        StringRef what) {
  if (shape.getRank() != 1 || !shape.getElementType().isInteger())
    return op->emitOpError() << what << " must be a 1-D integer tensor";
  if (!shape.isDynamicDim(0) && shape.getDimSize(0) != length)
    return op->emitOpError() << what << " has " << shape.getDimSize(0) << " entries, expected " << length;
  return success();
}

LogicalResult ReshapeOp::verify() {
  return verifyShapeOperand(*this, getShape().getType(), getType().getRank(), "shape");
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty()) return emitOpError("needs at least one input");
  int64_t rank = getType().getRank();
  for (Value input : getInputs())
    if (cast<RankedTensorType>(input.getType()).getRank() != rank)
      return emitOpError() << "inputs must all have rank " << rank;
  return verifyAxis(*this, getAxis(), rank, "axis");
}

LogicalResult SliceOp::verify() {
  int64_t rank = getData().getType().getRank(), count = getAxes().size();
  if (static_cast<int64_t>(getSteps().size()) != count)
    return emitOpError() << "has " << count << " axes but " << getSteps().size() << " steps";
  if (llvm::is_contained(getSteps(), 0)) return emitOpError("steps must be non-zero");
  if (failed(verifyShapeOperand(*this, getStarts().getType(), count, "starts")) ||
      failed(verifyShapeOperand(*this, getEnds().getType(), count, "ends")))
    return failure();
  if (getType().getRank() != rank) return emitOpError("result rank differs from the input's");
  for (int64_t axis : getAxes())
    if (axis < 0 || axis >= rank) return emitOpError() << "axis " << axis << " out of range for rank " << rank;
  return verifyAxes(*this, getAxes(), rank);
}

LogicalResult TileOp::verify() {
  if (static_cast<int64_t>(getRepeats().size()) != getInput().getType().getRank())
    return emitOpError() << "has " << getRepeats().size() << " repeats for rank " << getInput().getType().getRank();
  for (int64_t r : getRepeats())
    if (r < 0) return emitOpError() << "negative repeat " << r;
  return success();
}

LogicalResult GatherElementsOp::verify() {
  if (!getIndices().getType().getElementType().isInteger())
    return emitOpError("indices must be integers");
  if (getIndices().getType().getRank() != getData().getType().getRank())
    return emitOpError("indices must have the rank of data");
  return verifyAxis(*this, getAxis(), getData().getType().getRank(), "axis");
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
