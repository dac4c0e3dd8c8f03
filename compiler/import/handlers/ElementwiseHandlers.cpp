//===- ElementwiseHandlers.cpp - elementwise, comparison, logic, Cast, Where ---===//
//
// Integer arithmetic on values whose elements are known (shape arithmetic) folds to new
// known values instead of emitting ops.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

using namespace mlir;

namespace edge {
namespace {

/// Elementwise over two known integer lists with numpy broadcasting (rank <= 1).
std::optional<SymShape> zipKnown(const SymShape &a, const SymShape &b,
                                 llvm::function_ref<SymDim(const SymDim &, const SymDim &)> fn) {
  if (a.size() != b.size() && a.size() != 1 && b.size() != 1) return std::nullopt;
  size_t n = std::max(a.size(), b.size());
  SymShape result;
  for (size_t i = 0; i < n; ++i) result.push_back(fn(a[a.size() == 1 ? 0 : i], b[b.size() == 1 ? 0 : i]));
  return result;
}

/// Tries to fold a binary op on known integer operands; true if the output is defined.
bool foldBinary(NodeContext &node, const GraphValue &lhs, const GraphValue &rhs, Type resultElement,
                llvm::function_ref<SymDim(const SymDim &, const SymDim &)> fn) {
  if (!isa<IntegerType>(lhs.elementType) || lhs.shape.size() > 1 || rhs.shape.size() > 1) return false;
  auto a = node.knownInts(0), b = node.knownInts(1);
  if (!a || !b) return false;
  auto folded = zipKnown(*a, *b, fn);
  if (!folded) return false;
  bool scalar = lhs.shape.empty() && rhs.shape.empty();
  if (node.setKnownIntsOutput(0, *folded, resultElement, scalar)) return true;
  return false;
}

template <typename OpTy>
std::optional<IntOp> intOpFor() {
  if constexpr (std::is_same_v<OpTy, onnx::AddOp>) return IntOp::Add;
  if constexpr (std::is_same_v<OpTy, onnx::SubOp>) return IntOp::Sub;
  if constexpr (std::is_same_v<OpTy, onnx::MulOp>) return IntOp::Mul;
  if constexpr (std::is_same_v<OpTy, onnx::DivOp>) return IntOp::Div;
  if constexpr (std::is_same_v<OpTy, onnx::MaxOp>) return IntOp::Max;
  if constexpr (std::is_same_v<OpTy, onnx::MinOp>) return IntOp::Min;
  return std::nullopt;
}

template <typename OpTy>
llvm::Error importBinary(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  GraphValue right = rhs;
  if (std::is_same_v<OpTy, onnx::PowOp> && lhs.elementType != rhs.elementType) {
    // Pow allows any numeric exponent type; compute in the base's type.
    right.value = onnx::CastOp::create(node.builder(), node.loc(), node.tensorType(rhs.shape, lhs.elementType), rhs.value);
    right.elementType = lhs.elementType;
  }
  if (lhs.elementType != right.elementType) return node.error("operand element types differ");
  if (auto op = intOpFor<OpTy>()) {
    // C-style truncating division is what ONNX Div means for integers; fold only when exact.
    auto fn = [&](const SymDim &a, const SymDim &b) {
      if (*op == IntOp::Div && a.isStatic() && b.isStatic() && b.value != 0 && !(a.value == INT64_MIN && b.value == -1) &&
          a.value % b.value != 0)
        return SymDim::fixed(a.value / b.value);
      return foldIntOp(*op, a, b);
    };
    if (foldBinary(node, lhs, right, lhs.elementType, fn)) return llvm::Error::success();
  }
  EDGE_TRY(result, buildBinary<OpTy>(node, lhs, right));
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

llvm::Error importMod(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  if (lhs.elementType != rhs.elementType) return node.error("operand element types differ");
  bool fmod = node.attrInt("fmod", 0) != 0;
  if (isa<FloatType>(lhs.elementType) && !fmod) return node.error("float Mod needs fmod = 1");
  auto shape = node.broadcast(lhs.shape, rhs.shape);
  if (!shape) return node.error(shape.takeError());
  Value result = onnx::ModOp::create(node.builder(), node.loc(), node.tensorType(*shape, lhs.elementType), lhs.value,
                                     rhs.value, node.builder().getI64IntegerAttr(fmod));
  node.setOutput(0, result, *shape);
  return llvm::Error::success();
}

/// Max, Min, Sum take one or more inputs: a chain of binary ops.
template <typename OpTy>
llvm::Error importVariadic(NodeContext &node) {
  if (node.numInputs() == 2) return importBinary<OpTy>(node);
  EDGE_TRY(first, node.input(0));
  GraphValue acc = first;
  for (size_t i = 1; i < node.numInputs(); ++i) {
    EDGE_TRY(next, node.input(i));
    if (next.elementType != acc.elementType) return node.error("operand element types differ");
    EDGE_TRY(combined, buildBinary<OpTy>(node, acc, next));
    acc = combined;
  }
  node.forwardOutput(0, acc);
  return llvm::Error::success();
}

/// True for a sum of dims with non-negative coefficients and constant: never negative.
bool provablyNonNegative(const SymDim &d) {
  return d.isSymbolic() && d.value >= 0 && llvm::all_of(d.terms, [](const SymDim::Term &t) { return t.second > 0; });
}

template <typename OpTy>
std::optional<bool> compareKnown(const SymDim &a, const SymDim &b) {
  // Named dims are >= 0, and equal to themselves.
  if (a.isStatic() && b.isStatic()) {
    if constexpr (std::is_same_v<OpTy, onnx::EqualOp>) return a.value == b.value;
    if constexpr (std::is_same_v<OpTy, onnx::GreaterOp>) return a.value > b.value;
    if constexpr (std::is_same_v<OpTy, onnx::LessOp>) return a.value < b.value;
    if constexpr (std::is_same_v<OpTy, onnx::GreaterOrEqualOp>) return a.value >= b.value;
    if constexpr (std::is_same_v<OpTy, onnx::LessOrEqualOp>) return a.value <= b.value;
  }
  if constexpr (std::is_same_v<OpTy, onnx::EqualOp>) {
    if (a.isSymbolic() && a == b) return true;
    if ((provablyNonNegative(a) && b.isStatic() && b.value < 0) || (provablyNonNegative(b) && a.isStatic() && a.value < 0))
      return false;
  }
  return std::nullopt;
}

template <typename OpTy>
llvm::Error importCompare(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  if (lhs.elementType != rhs.elementType) return node.error("operand element types differ");
  Type i1 = node.builder().getI1Type();
  auto fn = [](const SymDim &a, const SymDim &b) {
    std::optional<bool> r = compareKnown<OpTy>(a, b);
    return r ? SymDim::fixed(*r) : SymDim::unknown();
  };
  if (foldBinary(node, lhs, rhs, i1, fn)) return llvm::Error::success();
  EDGE_TRY(result, buildBinary<OpTy>(node, lhs, rhs, i1));
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importLogic(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  if (!lhs.elementType.isInteger(1) || !rhs.elementType.isInteger(1)) return node.error("expects bool tensors");
  EDGE_TRY(result, buildBinary<OpTy>(node, lhs, rhs));
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importUnary(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!isa<FloatType>(input.elementType)) return node.error("expects a float tensor");
  GraphValue result = buildUnary<OpTy>(node, input);
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

/// Neg and Abs: floats or signed integers.
template <typename OpTy>
llvm::Error importNumericUnary(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (input.elementType.isInteger(1)) return node.error("expects a numeric tensor");
  if (std::is_same_v<OpTy, onnx::NegOp> && input.shape.size() <= 1 && isa<IntegerType>(input.elementType))
    if (auto known = node.knownInts(0)) {
      SymShape negated;
      for (const SymDim &d : *known) negated.push_back(foldIntOp(IntOp::Sub, SymDim::fixed(0), d));
      if (node.setKnownIntsOutput(0, negated, input.elementType, input.shape.empty())) return llvm::Error::success();
    }
  GraphValue result = buildUnary<OpTy>(node, input);
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

llvm::Error importNot(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!input.elementType.isInteger(1)) return node.error("expects a bool tensor");
  GraphValue result = buildUnary<onnx::NotOp>(node, input);
  node.setOutput(0, result.value, result.shape);
  return llvm::Error::success();
}

llvm::Error importWhere(NodeContext &node) {
  EDGE_TRY(condition, node.input(0));
  EDGE_TRY(x, node.input(1));
  EDGE_TRY(y, node.input(2));
  if (!condition.elementType.isInteger(1)) return node.error("condition must be bool");
  if (x.elementType != y.elementType) return node.error("x and y element types differ");
  if (isa<IntegerType>(x.elementType) && x.shape.size() <= 1 && y.shape.size() <= 1 && condition.shape.size() <= 1) {
    auto c = node.knownInts(0), a = node.knownInts(1), b = node.knownInts(2);
    if (c && a && b) {
      auto picked = zipKnown(*a, *b, [](const SymDim &u, const SymDim &) { return u; });
      auto other = zipKnown(*a, *b, [](const SymDim &, const SymDim &v) { return v; });
      if (picked && other && (c->size() == picked->size() || c->size() == 1)) {
        SymShape result;
        for (size_t i = 0; i < picked->size(); ++i) {
          const SymDim &ci = (*c)[c->size() == 1 ? 0 : i];
          result.push_back(!ci.isStatic() ? SymDim::unknown() : ci.value ? (*picked)[i] : (*other)[i]);
        }
        bool scalar = condition.shape.empty() && x.shape.empty() && y.shape.empty();
        if (node.setKnownIntsOutput(0, result, x.elementType, scalar)) return llvm::Error::success();
      }
    }
  }
  auto xy = node.broadcast(x.shape, y.shape);
  if (!xy) return node.error(xy.takeError());
  auto shape = node.broadcast(condition.shape, *xy);
  if (!shape) return node.error(shape.takeError());
  Value result = onnx::WhereOp::create(node.builder(), node.loc(), node.tensorType(*shape, x.elementType),
                                       condition.value, x.value, y.value);
  node.setOutput(0, result, *shape);
  return llvm::Error::success();
}

/// Clip: min and max are attributes before opset 11 and optional inputs after; it becomes
/// Max and Min with scalars.
llvm::Error importClip(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!isa<FloatType>(input.elementType) && !isa<IntegerType>(input.elementType))
    return node.error("expects a numeric tensor");
  GraphValue acc = input;
  auto bound = [&](size_t index, const char *attrName, auto opTag) -> llvm::Error {
    using OpTy = decltype(opTag);
    GraphValue limit;
    if (node.getOpset() < 11) {
      if (!node.attr(attrName)) return llvm::Error::success();
      limit = node.scalarConstant(node.attrFloat(attrName, 0), input.elementType);
    } else {
      if (!node.hasInput(index)) return llvm::Error::success();
      EDGE_TRY(given, node.input(index));
      if (given.elementType != input.elementType) return node.error("min/max element type differs from the input's");
      limit = given;
    }
    EDGE_TRY(clamped, buildBinary<OpTy>(node, acc, limit));
    if (clamped.shape != input.shape) return node.error("min/max must be scalars");
    acc = clamped;
    return llvm::Error::success();
  };
  if (llvm::Error e = bound(1, "min", onnx::MaxOp())) return e;
  if (llvm::Error e = bound(2, "max", onnx::MinOp())) return e;
  node.forwardOutput(0, acc);
  return llvm::Error::success();
}

llvm::Error importIdentity(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  node.forwardOutput(0, input);
  return llvm::Error::success();
}

llvm::Error importConstant(NodeContext &node) {
  if (const auto *value = node.attr("value")) {
    // The tensor lives in the node's attribute, which the ModelProto owns.
    return node.setConstantOutput(0, value->t());
  }
  Type i64 = node.builder().getI64Type(), f32 = node.builder().getF32Type();
  if (const auto *value = node.attr("value_int")) {
    node.setKnownIntsOutput(0, {SymDim::fixed(value->i())}, i64, /*scalar=*/true);
    return llvm::Error::success();
  }
  if (const auto *value = node.attr("value_ints")) {
    SymShape ints;
    for (int64_t v : value->ints()) ints.push_back(SymDim::fixed(v));
    node.setKnownIntsOutput(0, ints, i64);
    return llvm::Error::success();
  }
  if (const auto *value = node.attr("value_float")) {
    node.forwardOutput(0, node.scalarConstant(value->f(), f32));
    return llvm::Error::success();
  }
  if (const auto *value = node.attr("value_floats")) {
    SmallVector<float> floats(value->floats().begin(), value->floats().end());
    auto type = RankedTensorType::get({static_cast<int64_t>(floats.size())}, f32);
    Value result = arith::ConstantOp::create(node.builder(), node.loc(), DenseElementsAttr::get(type, ArrayRef<float>(floats)));
    node.setOutput(0, result, {SymDim::fixed(static_cast<int64_t>(floats.size()))});
    return llvm::Error::success();
  }
  return node.error("unsupported attribute: only value, value_int(s) and value_float(s) are supported");
}

llvm::Error importCast(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  std::optional<ElementKind> to = getElementKind(node.context(), static_cast<int32_t>(node.attrInt("to", 0)));
  if (!to) return node.error("unsupported target type " + llvm::Twine(node.attrInt("to", 0)));
  if (isa<IntegerType>(input.elementType) && isa<IntegerType>(to->type) && !to->type.isInteger(1) &&
      input.shape.size() <= 1)
    if (auto known = node.knownInts(0))
      if (node.setKnownIntsOutput(0, *known, to->type, input.shape.empty())) return llvm::Error::success();
  if (input.elementType == to->type) {
    node.forwardOutput(0, input);
    return llvm::Error::success();
  }
  Value result = onnx::CastOp::create(node.builder(), node.loc(), node.tensorType(input.shape, to->type), input.value);
  node.setOutput(0, result, input.shape);
  if (auto known = node.knownInts(0); known && isa<IntegerType>(to->type) && !to->type.isInteger(1))
    node.setOutputInts(0, *known);
  return llvm::Error::success();
}

} // namespace

void addElementwiseHandlers(HandlerTable &t) {
  t["Add"] = {{7, importBinary<onnx::AddOp>}};
  t["Sub"] = {{7, importBinary<onnx::SubOp>}};
  t["Mul"] = {{7, importBinary<onnx::MulOp>}};
  t["Div"] = {{7, importBinary<onnx::DivOp>}};
  t["Pow"] = {{7, importBinary<onnx::PowOp>}};
  t["Mod"] = {{10, importMod, {"fmod"}}};
  t["Max"] = {{8, importVariadic<onnx::MaxOp>}};
  t["Min"] = {{8, importVariadic<onnx::MinOp>}};
  t["Sum"] = {{8, importVariadic<onnx::AddOp>}};
  t["Equal"] = {{7, importCompare<onnx::EqualOp>}};
  t["Greater"] = {{7, importCompare<onnx::GreaterOp>}};
  t["Less"] = {{7, importCompare<onnx::LessOp>}};
  t["GreaterOrEqual"] = {{12, importCompare<onnx::GreaterOrEqualOp>}};
  t["LessOrEqual"] = {{12, importCompare<onnx::LessOrEqualOp>}};
  t["And"] = {{7, importLogic<onnx::AndOp>}};
  t["Or"] = {{7, importLogic<onnx::OrOp>}};
  t["Xor"] = {{7, importLogic<onnx::XorOp>}};
  t["Not"] = {{1, importNot}};
  t["Relu"] = {{6, importUnary<onnx::ReluOp>}};
  t["Tanh"] = {{6, importUnary<onnx::TanhOp>}};
  t["Sigmoid"] = {{6, importUnary<onnx::SigmoidOp>}};
  t["Erf"] = {{9, importUnary<onnx::ErfOp>}};
  t["Sqrt"] = {{6, importUnary<onnx::SqrtOp>}};
  t["Exp"] = {{6, importUnary<onnx::ExpOp>}};
  t["Log"] = {{6, importUnary<onnx::LogOp>}};
  t["Reciprocal"] = {{6, importUnary<onnx::ReciprocalOp>}};
  t["Sin"] = {{7, importUnary<onnx::SinOp>}};
  t["Cos"] = {{7, importUnary<onnx::CosOp>}};
  t["Floor"] = {{6, importUnary<onnx::FloorOp>}};
  t["Ceil"] = {{6, importUnary<onnx::CeilOp>}};
  t["Neg"] = {{6, importNumericUnary<onnx::NegOp>}};
  t["Abs"] = {{6, importNumericUnary<onnx::AbsOp>}};
  t["Where"] = {{9, importWhere}};
  t["Clip"] = {{6, importClip, {"min", "max"}}};
  t["Identity"] = {{1, importIdentity}};
  t["Constant"] = {{1, importConstant, {"value", "value_int", "value_ints", "value_float", "value_floats"}}};
  t["Cast"] = {{6, importCast, {"to", "saturate"}}};
}

} // namespace edge
