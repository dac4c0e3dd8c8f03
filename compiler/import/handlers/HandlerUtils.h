//===- HandlerUtils.h - helpers shared by the op handler families -*- C++ -*-===//
#ifndef EDGE_COMPILER_IMPORT_HANDLERS_HANDLERUTILS_H
#define EDGE_COMPILER_IMPORT_HANDLERS_HANDLERUTILS_H

#include "compiler/import/ImportContext.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringMap.h"

namespace edge {

#define EDGE_TRY(var, expr)                           \
  auto var##OrErr = (expr);                           \
  if (!var##OrErr) return var##OrErr.takeError();     \
  auto &var = *var##OrErr

inline int64_t normalizeAxis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

/// A signed 64-bit integer attribute, the type of ONNX axis attributes in the onnx dialect.
inline mlir::IntegerAttr signedAttr(mlir::MLIRContext *context, int64_t value) {
  return mlir::IntegerAttr::get(mlir::IntegerType::get(context, 64, mlir::IntegerType::Signed), value);
}

/// Normalized, distinct axes in [0, rank), or an error naming the bad one.
llvm::Expected<std::vector<int64_t>> normalizeAxes(NodeContext &node, llvm::ArrayRef<int64_t> axes, size_t rank);

/// Builds one onnx op of the binary family on graph values, with broadcast shape checks.
template <typename OpTy>
llvm::Expected<GraphValue> buildBinary(NodeContext &node, const GraphValue &lhs, const GraphValue &rhs,
                                       mlir::Type resultElement = {}) {
  auto shape = node.broadcast(lhs.shape, rhs.shape);
  if (!shape) return node.error(shape.takeError());
  GraphValue result;
  result.elementType = resultElement ? resultElement : lhs.elementType;
  result.shape = *shape;
  result.value = OpTy::create(node.builder(), node.loc(), node.tensorType(*shape, result.elementType), lhs.value, rhs.value);
  return result;
}

template <typename OpTy>
GraphValue buildUnary(NodeContext &node, const GraphValue &input) {
  GraphValue result = input;
  result.ints.reset();
  result.tensor = nullptr;
  result.value = OpTy::create(node.builder(), node.loc(), input.value);
  return result;
}

/// A reduction over `axes` (normalized) of the op family ReduceMean/Sum/Max.
template <typename OpTy>
GraphValue buildReduce(NodeContext &node, const GraphValue &input, llvm::ArrayRef<int64_t> axes, bool keep) {
  std::vector<bool> reduced(input.shape.size(), axes.empty());
  for (int64_t a : axes) reduced[a] = true;
  GraphValue result;
  for (size_t i = 0; i < input.shape.size(); ++i)
    if (!reduced[i]) result.shape.push_back(input.shape[i]);
    else if (keep) result.shape.push_back(SymDim::fixed(1));
  result.elementType = input.elementType;
  result.value = OpTy::create(node.builder(), node.loc(), node.tensorType(result.shape, input.elementType), input.value,
                              node.builder().getDenseI64ArrayAttr(axes), node.builder().getI64IntegerAttr(keep));
  return result;
}

/// Reshape of `input` to `shape`; dims neither static nor named are read from dim
/// `sources[i]` of the input.
GraphValue buildReshape(NodeContext &node, const GraphValue &input, const SymShape &shape,
                        llvm::ArrayRef<int64_t> sources);

/// Layer normalization over dims [axis, rank): (x - mean) / sqrt(var + epsilon) * scale
/// + bias, or with `rms` x / sqrt(mean(x^2) + epsilon) * scale (RMSNorm). The statistics
/// keep the reduced dims, for the optional outputs.
struct Normalization {
  NodeContext *node;
  GraphValue output, mean, deviation;
  GraphValue invStdDev() const;
};
llvm::Expected<Normalization> buildNormalization(NodeContext &node, const GraphValue &x, const GraphValue &scale,
                                                 std::optional<GraphValue> bias, int64_t axis, float epsilon, bool rms);

/// x * Phi(x), exactly (erf) or with the tanh approximation.
llvm::Expected<GraphValue> buildGelu(NodeContext &node, const GraphValue &x, bool tanhApproximation);

/// The handlers of one op type, by the opset they apply from (see OpHandlers.cpp).
struct Registration {
  int64_t sinceVersion;
  OpHandler handler;
  /// The attributes the handler reads; any other is refused by name.
  std::vector<llvm::StringRef> attributes = {};
};
using HandlerTable = llvm::StringMap<std::vector<Registration>>;

// The handler families, one file each; OpHandlers.cpp collects them.
void addElementwiseHandlers(HandlerTable &table);
void addShapeHandlers(HandlerTable &table);
void addNnHandlers(HandlerTable &table);
void addContribHandlers(HandlerTable &table); // com.microsoft
void addQuantizedHandlers(HandlerTable &table);        // DequantizeLinear (blocked weights)
void addQuantizedContribHandlers(HandlerTable &table); // com.microsoft MatMulNBits

/// A x W for a block-quantized weight W (MatMulNBits, blocked DequantizeLinear): adds
/// `entry` to NAME.weights and multiplies A ([M, K] or [B, M, K], f32) with
/// edge.quantized_matmul.
llvm::Expected<GraphValue> buildQuantizedMatmul(NodeContext &node, const GraphValue &a, WeightEntry entry);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_HANDLERS_HANDLERUTILS_H
