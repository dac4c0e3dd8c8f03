//===- OpHandlers.cpp - one handler per ONNX op (default domain) ----------===//
//
// The registry maps (op type, since-version) to a handler; a model's opset picks the
// newest handler whose since-version it reaches. Handlers resolve opset differences
// (attributes that became inputs) so that onnx dialect ops mean one thing. Adding an op:
// an ODS def in dialects/onnx/IR/OnnxOps.td and a handler + registry line here.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ImportContext.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace edge {
namespace {

#define EDGE_TRY(var, expr)       \
  auto var##OrErr = (expr);       \
  if (!var##OrErr) return var##OrErr.takeError(); \
  auto &var = *var##OrErr

int64_t normalize(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

template <typename OpTy>
llvm::Error importBinary(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  if (lhs.elementType != rhs.elementType) return node.error("operand element types differ");
  auto shape = broadcastShapes(lhs.shape, rhs.shape, node.symbols());
  if (!shape) return node.error(shape.takeError());
  Value result = OpTy::create(node.builder(), node.loc(), node.tensorType(*shape, lhs.elementType), lhs.value, rhs.value);
  node.setOutput(0, result, *shape);
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importUnary(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!isa<FloatType>(input.elementType)) return node.error("expects a float tensor");
  node.setOutput(0, OpTy::create(node.builder(), node.loc(), input.value), input.shape);
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
  return node.error("only the 'value' attribute form of Constant is supported");
}

llvm::Error importCast(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  std::optional<ElementKind> to = getElementKind(node.context(), static_cast<int32_t>(node.attrInt("to", 0)));
  if (!to) return node.error("unsupported target type " + llvm::Twine(node.attrInt("to", 0)));
  Value result = onnx::CastOp::create(node.builder(), node.loc(), node.tensorType(input.shape, to->type), input.value);
  node.setOutput(0, result, input.shape);
  return llvm::Error::success();
}

llvm::Error importMatMul(NodeContext &node) {
  EDGE_TRY(lhs, node.input(0));
  EDGE_TRY(rhs, node.input(1));
  if (lhs.shape.size() < 2 || rhs.shape.size() < 2)
    return node.error("1-D MatMul operands are not supported yet");
  const SymDim &k0 = lhs.shape.back(), &k1 = rhs.shape[rhs.shape.size() - 2];
  if (!provablyEqual(k0, k1))
    return node.error("contraction dims " + describe(k0, node.symbols()) + " and " + describe(k1, node.symbols()) +
                      " are not provably equal");
  SymShape lhsBatch(lhs.shape.begin(), lhs.shape.end() - 2), rhsBatch(rhs.shape.begin(), rhs.shape.end() - 2);
  auto batch = broadcastShapes(lhsBatch, rhsBatch, node.symbols());
  if (!batch) return node.error(batch.takeError());
  SymShape shape = *batch;
  shape.push_back(lhs.shape[lhs.shape.size() - 2]);
  shape.push_back(rhs.shape.back());
  Value result = onnx::MatMulOp::create(node.builder(), node.loc(), node.tensorType(shape, lhs.elementType), lhs.value, rhs.value);
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

llvm::Error importGemm(NodeContext &node) {
  EDGE_TRY(a, node.input(0));
  EDGE_TRY(b, node.input(1));
  if (a.shape.size() != 2 || b.shape.size() != 2) return node.error("A and B must be 2-D");
  bool transA = node.attrInt("transA", 0), transB = node.attrInt("transB", 0);
  const SymDim &kA = a.shape[transA ? 0 : 1], &kB = b.shape[transB ? 1 : 0];
  if (!provablyEqual(kA, kB)) return node.error("contraction dims are not provably equal");
  SymShape shape = {a.shape[transA ? 1 : 0], b.shape[transB ? 0 : 1]};
  Value c;
  if (node.hasInput(2)) {
    EDGE_TRY(cValue, node.input(2));
    auto check = broadcastShapes(shape, cValue.shape, node.symbols());
    if (!check || *check != shape) {
      if (!check) llvm::consumeError(check.takeError());
      return node.error("C " + describe(cValue.shape, node.symbols()) + " does not broadcast to " +
                        describe(shape, node.symbols()));
    }
    c = cValue.value;
  }
  auto op = onnx::GemmOp::create(node.builder(), node.loc(), node.tensorType(shape, a.elementType), a.value, b.value, c,
                                 node.builder().getF32FloatAttr(node.attrFloat("alpha", 1.0f)),
                                 node.builder().getF32FloatAttr(node.attrFloat("beta", 1.0f)),
                                 node.builder().getI64IntegerAttr(transA), node.builder().getI64IntegerAttr(transB));
  node.setOutput(0, op, shape);
  return llvm::Error::success();
}

/// Softmax: opset 13 normalizes along `axis` (default -1); earlier opsets flatten to 2-D
/// at `axis` (default 1), which is the same thing only when axis is the last dim.
llvm::Error importSoftmax(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  size_t rank = input.shape.size();
  int64_t axis = node.attrInt("axis", node.getOpset() >= 13 ? -1 : 1);
  if (normalize(axis, rank) < 0 || normalize(axis, rank) >= static_cast<int64_t>(rank))
    return node.error("axis " + llvm::Twine(axis) + " out of range for rank " + llvm::Twine(rank));
  if (node.getOpset() < 13 && normalize(axis, rank) != static_cast<int64_t>(rank) - 1)
    return node.error("pre-13 Softmax over a flattened non-last axis is not supported");
  auto op = onnx::SoftmaxOp::create(node.builder(), node.loc(), input.value.getType(), input.value,
                                    IntegerAttr::get(IntegerType::get(node.context(), 64, IntegerType::Signed), normalize(axis, rank)));
  node.setOutput(0, op, input.shape);
  return llvm::Error::success();
}

/// ReduceMean: axes is an attribute before opset 18 and an optional input from 18 on.
llvm::Error importReduceMean(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  size_t rank = input.shape.size();
  std::vector<int64_t> axes;
  if (node.getOpset() >= 18) {
    if (node.hasInput(1)) {
      EDGE_TRY(constant, node.constantInts(1));
      axes = constant;
    }
    if (axes.empty() && node.attrInt("noop_with_empty_axes", 0)) {
      node.forwardOutput(0, input);
      return llvm::Error::success();
    }
  } else if (auto attr = node.attrInts("axes")) {
    axes = *attr;
  }
  bool keep = node.attrInt("keepdims", 1) != 0;
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    int64_t a = normalize(axis, rank);
    if (a < 0 || a >= static_cast<int64_t>(rank) || reduced[a])
      return node.error("axis " + llvm::Twine(axis) + " is out of range or repeated");
    reduced[a] = true;
  }
  SymShape shape;
  for (size_t i = 0; i < rank; ++i)
    if (!reduced[i]) shape.push_back(input.shape[i]);
    else if (keep) shape.push_back(SymDim::fixed(1));
  auto op = onnx::ReduceMeanOp::create(node.builder(), node.loc(), node.tensorType(shape, input.elementType), input.value,
                                       node.builder().getDenseI64ArrayAttr(axes),
                                       node.builder().getI64IntegerAttr(keep));
  node.setOutput(0, op, shape);
  return llvm::Error::success();
}

llvm::Error importReshape(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  EDGE_TRY(target, node.constantInts(1));
  bool allowZero = node.attrInt("allowzero", 0) != 0;
  auto shape = reshapeShape(data.shape, target, allowZero);
  if (!shape) return node.error(shape.takeError());
  auto op = onnx::ReshapeOp::create(node.builder(), node.loc(), node.tensorType(*shape, data.elementType), data.value,
                                    node.builder().getDenseI64ArrayAttr(target),
                                    node.builder().getI64IntegerAttr(allowZero));
  node.setOutput(0, op, *shape);
  return llvm::Error::success();
}

llvm::Error importTranspose(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  size_t rank = data.shape.size();
  std::vector<int64_t> perm;
  if (auto attr = node.attrInts("perm")) perm = *attr;
  else
    for (size_t i = 0; i < rank; ++i) perm.push_back(rank - 1 - i);
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank) return node.error("perm has " + llvm::Twine(perm.size()) + " entries for rank " + llvm::Twine(rank));
  SymShape shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p]) return node.error("perm is not a permutation");
    seen[p] = true;
    shape.push_back(data.shape[p]);
  }
  auto op = onnx::TransposeOp::create(node.builder(), node.loc(), node.tensorType(shape, data.elementType), data.value,
                                      node.builder().getDenseI64ArrayAttr(perm));
  node.setOutput(0, op, shape);
  return llvm::Error::success();
}

llvm::Error importGather(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  EDGE_TRY(indices, node.input(1));
  if (!indices.elementType.isInteger(64) && !indices.elementType.isInteger(32))
    return node.error("indices must be int32 or int64");
  size_t rank = data.shape.size();
  int64_t axis = normalize(node.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) return node.error("axis out of range");
  SymShape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  auto op = onnx::GatherOp::create(node.builder(), node.loc(), node.tensorType(shape, data.elementType), data.value,
                                   indices.value, IntegerAttr::get(IntegerType::get(node.context(), 64, IntegerType::Signed), axis));
  node.setOutput(0, op, shape);
  return llvm::Error::success();
}

struct Registration {
  int64_t sinceVersion;
  OpHandler handler;
};

const llvm::StringMap<std::vector<Registration>> &registry() {
  static const llvm::StringMap<std::vector<Registration>> handlers = {
      {"Add", {{7, importBinary<onnx::AddOp>}}},
      {"Sub", {{7, importBinary<onnx::SubOp>}}},
      {"Mul", {{7, importBinary<onnx::MulOp>}}},
      {"Div", {{7, importBinary<onnx::DivOp>}}},
      {"Pow", {{7, importBinary<onnx::PowOp>}}},
      {"Relu", {{6, importUnary<onnx::ReluOp>}}},
      {"Tanh", {{6, importUnary<onnx::TanhOp>}}},
      {"Sigmoid", {{6, importUnary<onnx::SigmoidOp>}}},
      {"Erf", {{9, importUnary<onnx::ErfOp>}}},
      {"Sqrt", {{6, importUnary<onnx::SqrtOp>}}},
      {"Cast", {{6, importCast}}},
      {"Identity", {{1, importIdentity}}},
      {"Constant", {{1, importConstant}}},
      {"MatMul", {{1, importMatMul}}},
      {"Gemm", {{7, importGemm}}},
      {"Softmax", {{1, importSoftmax}}},
      {"ReduceMean", {{1, importReduceMean}}},
      {"Reshape", {{5, importReshape}}},
      {"Transpose", {{1, importTranspose}}},
      {"Gather", {{1, importGather}}},
  };
  return handlers;
}

} // namespace

OpHandler lookupOpHandler(llvm::StringRef opType, int64_t opset) {
  auto it = registry().find(opType);
  if (it == registry().end()) return nullptr;
  OpHandler best = nullptr;
  int64_t bestVersion = -1;
  for (const Registration &r : it->second)
    if (r.sinceVersion <= opset && r.sinceVersion > bestVersion) {
      best = r.handler;
      bestVersion = r.sinceVersion;
    }
  return best;
}

} // namespace edge
