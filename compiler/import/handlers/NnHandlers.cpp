//===- NnHandlers.cpp - matrix products, normalizations, reductions --------===//
//
// Composite ONNX ops (LayerNormalization, LogSoftmax, Gelu) are decomposed here into
// onnx dialect primitives; the fusion passes see the same IR whichever form the exporter
// chose.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

#include <map>

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace edge {
namespace {

llvm::Error importMatMul(NodeContext &node) {
  if (std::shared_ptr<WeightEntry> weight = node.blockQuantizedInput(1)) { // kept quantized
    EDGE_TRY(lhs, node.input(0));
    EDGE_TRY(product, buildQuantizedMatmul(node, lhs, *weight));
    node.forwardOutput(0, product);
    return llvm::Error::success();
  }
  EDGE_TRY(lhsIn, node.input(0));
  EDGE_TRY(rhsIn, node.input(1));
  if (lhsIn.shape.empty() || rhsIn.shape.empty()) return node.error("MatMul operands must have rank >= 1");
  if (lhsIn.elementType != rhsIn.elementType) return node.error("operand element types differ");
  // numpy: a 1-D lhs is a row vector and a 1-D rhs a column vector, their dim dropped after.
  GraphValue lhs = lhsIn, rhs = rhsIn;
  bool lhsVector = lhs.shape.size() == 1, rhsVector = rhs.shape.size() == 1;
  if (lhsVector) lhs = buildReshape(node, lhsIn, {SymDim::fixed(1), lhsIn.shape[0]}, {0, 0});
  if (rhsVector) rhs = buildReshape(node, rhsIn, {rhsIn.shape[0], SymDim::fixed(1)}, {0, 0});
  const SymDim &k0 = lhs.shape.back(), &k1 = rhs.shape[rhs.shape.size() - 2];
  if (!provablyEqual(k0, k1))
    return node.error("contraction dims " + describe(k0, node.symbols()) + " and " + describe(k1, node.symbols()) +
                      " are not provably equal");
  SymShape lhsBatch(lhs.shape.begin(), lhs.shape.end() - 2), rhsBatch(rhs.shape.begin(), rhs.shape.end() - 2);
  auto batch = node.broadcast(lhsBatch, rhsBatch);
  if (!batch) return node.error(batch.takeError());
  SymShape shape = *batch;
  shape.push_back(lhs.shape[lhs.shape.size() - 2]);
  shape.push_back(rhs.shape.back());
  GraphValue product;
  product.shape = shape;
  product.elementType = lhs.elementType;
  product.value = onnx::MatMulOp::create(node.builder(), node.loc(), node.tensorType(shape, lhs.elementType), lhs.value,
                                         rhs.value);
  if (!lhsVector && !rhsVector) {
    node.forwardOutput(0, product);
    return llvm::Error::success();
  }
  SymShape finalShape;
  std::vector<int64_t> sources;
  for (size_t i = 0; i < shape.size(); ++i) {
    if ((lhsVector && i == shape.size() - 2) || (rhsVector && i == shape.size() - 1)) continue;
    finalShape.push_back(shape[i]);
    sources.push_back(i);
  }
  node.forwardOutput(0, buildReshape(node, product, finalShape, sources));
  return llvm::Error::success();
}

/// Einsum: the equation is made explicit (implicit outputs are the letters used once, in
/// alphabetical order) and each ellipsis becomes letters of its own, right-aligned across
/// operands; a letter's extent is its dims' common value, static 1s broadcasting.
llvm::Error importEinsum(NodeContext &node) {
  const auto *attr = node.attr("equation");
  if (!attr) return node.error("missing 'equation' attribute");
  std::string equation;
  for (char c : attr->s())
    if (c != ' ') equation += c;
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow), output = arrow == std::string::npos ? "" : equation.substr(arrow + 2);
  std::vector<std::string> terms;
  for (llvm::StringRef t : llvm::split(llvm::StringRef(lhs), ',')) terms.push_back(t.str());
  if (terms.size() != node.numInputs())
    return node.error("equation '" + attr->s() + "' has " + llvm::Twine(terms.size()) + " operand terms for " +
                      llvm::Twine(node.numInputs()) + " inputs");
  std::string spare;
  for (char c = 'A'; c <= 'Z'; ++c)
    if (equation.find(c) == std::string::npos) spare += c;
  std::vector<GraphValue> inputs;
  size_t ellipsisRank = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    EDGE_TRY(input, node.input(i));
    if (input.elementType != (inputs.empty() ? input.elementType : inputs[0].elementType) ||
        !input.elementType.isIntOrFloat() || input.elementType.isInteger(1))
      return node.error("operands must share one numeric element type");
    inputs.push_back(input);
    size_t dots = terms[i].find("...");
    size_t letters = terms[i].size() - (dots == std::string::npos ? 0 : 3);
    if (dots == std::string::npos ? letters != input.shape.size() : letters > input.shape.size())
      return node.error("term '" + terms[i] + "' does not match an operand of rank " + llvm::Twine(input.shape.size()));
    if (dots != std::string::npos) {
      size_t count = input.shape.size() - letters;
      if (count > spare.size()) return node.error("too many dims under '...'");
      ellipsisRank = std::max(ellipsisRank, count);
      terms[i] = terms[i].substr(0, dots) + spare.substr(spare.size() - count) + terms[i].substr(dots + 3);
    }
  }
  std::string ellipsisLetters = spare.substr(spare.size() - ellipsisRank);
  if (arrow == std::string::npos) {
    std::map<char, int> uses;
    for (const std::string &t : terms)
      for (char c : t) ++uses[c];
    output = ellipsisLetters;
    for (auto [c, n] : uses)
      if (n == 1 && ellipsisLetters.find(c) == std::string::npos) output += c;
  } else if (size_t dots = output.find("..."); dots != std::string::npos) {
    output = output.substr(0, dots) + ellipsisLetters + output.substr(dots + 3);
  }
  for (const std::string &t : terms)
    for (char c : t)
      if (!std::isalpha(static_cast<unsigned char>(c))) return node.error("invalid equation '" + attr->s() + "'");
  std::map<char, SymDim> extents;
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t d = 0; d < terms[i].size(); ++d) {
      char c = terms[i][d];
      const SymDim &dim = inputs[i].shape[d];
      auto it = extents.find(c);
      if (it == extents.end() || (it->second.isStatic() && it->second.value == 1)) extents[c] = dim;
      else if (!(dim.isStatic() && dim.value == 1) && !provablyEqual(dim, it->second))
        return node.error("dims of '" + std::string(1, c) + "' differ: " + describe(dim, node.symbols()) + " and " +
                          describe(it->second, node.symbols()));
    }
  SymShape shape;
  for (char c : output) {
    if (!extents.count(c)) return node.error("output letter '" + std::string(1, c) + "' appears in no operand");
    shape.push_back(extents[c]);
  }
  SmallVector<Value> values;
  for (const GraphValue &input : inputs) values.push_back(input.value);
  std::string normalized = llvm::join(terms, ",") + "->" + output;
  Value result = onnx::EinsumOp::create(node.builder(), node.loc(), node.tensorType(shape, inputs[0].elementType), values,
                                        node.builder().getStringAttr(normalized));
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

llvm::Error importGemm(NodeContext &node) {
  EDGE_TRY(a, node.input(0));
  EDGE_TRY(b, node.input(1));
  if (a.shape.size() != 2 || b.shape.size() != 2) return node.error("A and B must be 2-D");
  EDGE_TRY(transA, node.attrFlag("transA", false));
  EDGE_TRY(transB, node.attrFlag("transB", false));
  const SymDim &kA = a.shape[transA ? 0 : 1], &kB = b.shape[transB ? 1 : 0];
  if (!provablyEqual(kA, kB)) return node.error("contraction dims are not provably equal");
  SymShape shape = {a.shape[transA ? 1 : 0], b.shape[transB ? 0 : 1]};
  Value c;
  if (node.hasInput(2)) {
    EDGE_TRY(cValue, node.input(2));
    auto check = node.broadcast(shape, cValue.shape);
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

/// The axis of Softmax/LogSoftmax: opset 13 normalizes along `axis` (default -1); earlier
/// opsets flatten to 2-D at `axis` (default 1), the same only when it is the last dim.
llvm::Expected<int64_t> softmaxAxis(NodeContext &node, size_t rank) {
  int64_t axis = node.attrInt("axis", node.getOpset() >= 13 ? -1 : 1);
  int64_t a = normalizeAxis(axis, rank);
  if (a < 0 || a >= static_cast<int64_t>(rank))
    return node.error("axis " + llvm::Twine(axis) + " out of range for rank " + llvm::Twine(rank));
  if (node.getOpset() < 13 && a != static_cast<int64_t>(rank) - 1)
    return node.error("pre-13 Softmax over a flattened non-last axis is not supported");
  return a;
}

llvm::Error importSoftmax(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!isa<FloatType>(input.elementType)) return node.error("expects a float tensor");
  EDGE_TRY(axis, softmaxAxis(node, input.shape.size()));
  auto op = onnx::SoftmaxOp::create(node.builder(), node.loc(), input.value.getType(), input.value,
                                    signedAttr(node.context(), axis));
  node.setOutput(0, op, input.shape);
  return llvm::Error::success();
}

/// log(softmax(x)) = (x - max) - log(sum(exp(x - max))).
llvm::Error importLogSoftmax(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (!isa<FloatType>(input.elementType)) return node.error("expects a float tensor");
  EDGE_TRY(axis, softmaxAxis(node, input.shape.size()));
  GraphValue max = buildReduce<onnx::ReduceMaxOp>(node, input, {axis}, true);
  EDGE_TRY(shifted, buildBinary<onnx::SubOp>(node, input, max));
  GraphValue sum = buildReduce<onnx::ReduceSumOp>(node, buildUnary<onnx::ExpOp>(node, shifted), {axis}, true);
  EDGE_TRY(result, buildBinary<onnx::SubOp>(node, shifted, buildUnary<onnx::LogOp>(node, sum)));
  node.forwardOutput(0, result);
  return llvm::Error::success();
}

/// ReduceMean/Sum/Max: axes is an attribute before `inputSince` and an optional input from
/// it on (ReduceSum moved at 13, the others at 18).
template <typename OpTy, int64_t inputSince>
llvm::Error importReduce(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (std::is_same_v<OpTy, onnx::ReduceMeanOp> ? !isa<FloatType>(input.elementType)
                                               : !input.elementType.isIntOrFloat() || input.elementType.isInteger(1))
    return node.error("unsupported element type");
  std::vector<int64_t> axes;
  if (node.getOpset() >= inputSince) {
    if (node.hasInput(1)) {
      EDGE_TRY(constant, node.requireInts(1, "axes"));
      axes = constant;
    }
    if (axes.empty() && node.attrInt("noop_with_empty_axes", 0)) {
      node.forwardOutput(0, input);
      return llvm::Error::success();
    }
  } else if (auto attr = node.attrInts("axes")) {
    axes = *attr;
  }
  EDGE_TRY(normalized, normalizeAxes(node, axes, input.shape.size()));
  node.forwardOutput(0, buildReduce<OpTy>(node, input, normalized, node.attrInt("keepdims", 1) != 0));
  return llvm::Error::success();
}

llvm::Error importCumSum(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  EDGE_TRY(axisList, node.requireInts(1, "axis"));
  if (axisList.size() != 1) return node.error("axis must be a scalar");
  int64_t axis = normalizeAxis(axisList[0], input.shape.size());
  if (axis < 0 || axis >= static_cast<int64_t>(input.shape.size())) return node.error("axis out of range");
  if (input.elementType.isInteger(1)) return node.error("expects a numeric tensor");
  Value result = onnx::CumSumOp::create(node.builder(), node.loc(), input.value.getType(), input.value,
                                        signedAttr(node.context(), axis),
                                        node.builder().getI64IntegerAttr(node.attrInt("exclusive", 0) != 0),
                                        node.builder().getI64IntegerAttr(node.attrInt("reverse", 0) != 0));
  node.setOutput(0, result, input.shape);
  return llvm::Error::success();
}

llvm::Error importTrilu(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  if (input.shape.size() < 2) return node.error("expects rank >= 2");
  int64_t k = 0;
  if (node.hasInput(1)) {
    EDGE_TRY(kList, node.requireInts(1, "k"));
    if (kList.size() != 1) return node.error("k must be a scalar");
    k = kList[0];
  }
  Value result = onnx::TriluOp::create(node.builder(), node.loc(), input.value.getType(), input.value,
                                       signedAttr(node.context(), k),
                                       node.builder().getI64IntegerAttr(node.attrInt("upper", 1) != 0));
  node.setOutput(0, result, input.shape);
  return llvm::Error::success();
}

llvm::Error importLayerNormalization(NodeContext &node) {
  EDGE_TRY(x, node.input(0));
  EDGE_TRY(scale, node.input(1));
  if (node.attrInt("stash_type", 1) != 1) return node.error("unsupported attribute value stash_type (only 1, float32)");
  std::optional<GraphValue> bias;
  if (node.hasInput(2)) {
    EDGE_TRY(b, node.input(2));
    bias = b;
  }
  EDGE_TRY(norm, buildNormalization(node, x, scale, bias, node.attrInt("axis", -1), node.attrFloat("epsilon", 1e-5f), false));
  node.forwardOutput(0, norm.output);
  node.forwardOutput(1, norm.mean);
  if (node.getNode().output_size() > 2 && !node.getNode().output(2).empty()) node.forwardOutput(2, norm.invStdDev());
  return llvm::Error::success();
}

/// SimplifiedLayerNormalization (RMSNorm, as onnxruntime-genai exports it): the same
/// without centering or bias.
llvm::Error importSimplifiedLayerNormalization(NodeContext &node) {
  EDGE_TRY(x, node.input(0));
  EDGE_TRY(scale, node.input(1));
  if (node.attrInt("stash_type", 1) != 1) return node.error("unsupported attribute value stash_type (only 1, float32)");
  EDGE_TRY(norm, buildNormalization(node, x, scale, std::nullopt, node.attrInt("axis", -1), node.attrFloat("epsilon", 1e-5f), true));
  node.forwardOutput(0, norm.output);
  if (node.getNode().output_size() > 1 && !node.getNode().output(1).empty()) node.forwardOutput(1, norm.invStdDev());
  return llvm::Error::success();
}

llvm::Error importGelu(NodeContext &node) {
  EDGE_TRY(x, node.input(0));
  std::string approximate = "none";
  if (const auto *attr = node.attr("approximate")) approximate = attr->s();
  if (approximate != "none" && approximate != "tanh")
    return node.error("unsupported approximate '" + approximate + "' (none or tanh)");
  EDGE_TRY(result, buildGelu(node, x, approximate == "tanh"));
  node.forwardOutput(0, result);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Normalization> buildNormalization(NodeContext &node, const GraphValue &x, const GraphValue &scale,
                                                 std::optional<GraphValue> bias, int64_t axisAttr, float epsilon,
                                                 bool rms) {
  if (!isa<FloatType>(x.elementType)) return node.error("expects a float tensor");
  size_t rank = x.shape.size();
  int64_t axis = normalizeAxis(axisAttr, rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) return node.error("axis out of range");
  std::vector<int64_t> axes;
  for (size_t i = axis; i < rank; ++i) axes.push_back(i);
  Normalization result{&node};
  GraphValue centered = x;
  if (!rms) {
    result.mean = buildReduce<onnx::ReduceMeanOp>(node, x, axes, true);
    EDGE_TRY(c, buildBinary<onnx::SubOp>(node, x, result.mean));
    centered = c;
  }
  EDGE_TRY(squared, buildBinary<onnx::MulOp>(node, centered, centered));
  GraphValue variance = buildReduce<onnx::ReduceMeanOp>(node, squared, axes, true);
  EDGE_TRY(shifted, buildBinary<onnx::AddOp>(node, variance, node.scalarConstant(epsilon, x.elementType)));
  result.deviation = buildUnary<onnx::SqrtOp>(node, shifted);
  EDGE_TRY(normalized, buildBinary<onnx::DivOp>(node, centered, result.deviation));
  EDGE_TRY(scaled, buildBinary<onnx::MulOp>(node, normalized, scale));
  result.output = scaled;
  if (bias) {
    EDGE_TRY(biased, buildBinary<onnx::AddOp>(node, scaled, *bias));
    result.output = biased;
  }
  if (result.output.shape != x.shape) return node.error("scale or bias does not broadcast to the input's shape");
  return result;
}

GraphValue Normalization::invStdDev() const { return buildUnary<onnx::ReciprocalOp>(*node, deviation); }

llvm::Expected<GraphValue> buildGelu(NodeContext &node, const GraphValue &x, bool tanhApproximation) {
  if (!isa<FloatType>(x.elementType)) return node.error("expects a float tensor");
  Type t = x.elementType;
  GraphValue inner;
  if (!tanhApproximation) {
    EDGE_TRY(scaled, buildBinary<onnx::MulOp>(node, x, node.scalarConstant(M_SQRT1_2, t)));
    inner = buildUnary<onnx::ErfOp>(node, scaled);
  } else {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    EDGE_TRY(x2, buildBinary<onnx::MulOp>(node, x, x));
    EDGE_TRY(x3, buildBinary<onnx::MulOp>(node, x2, x));
    EDGE_TRY(cubic, buildBinary<onnx::MulOp>(node, x3, node.scalarConstant(0.044715, t)));
    EDGE_TRY(sum, buildBinary<onnx::AddOp>(node, x, cubic));
    EDGE_TRY(scaled, buildBinary<onnx::MulOp>(node, sum, node.scalarConstant(std::sqrt(2.0 / M_PI), t)));
    inner = buildUnary<onnx::TanhOp>(node, scaled);
  }
  EDGE_TRY(onePlus, buildBinary<onnx::AddOp>(node, inner, node.scalarConstant(1.0, t)));
  EDGE_TRY(half, buildBinary<onnx::MulOp>(node, x, node.scalarConstant(0.5, t)));
  return buildBinary<onnx::MulOp>(node, half, onePlus);
}

void addNnHandlers(HandlerTable &t) {
  t["MatMul"] = {{1, importMatMul}};
  t["Einsum"] = {{12, importEinsum, {"equation"}}};
  t["Gemm"] = {{7, importGemm, {"alpha", "beta", "transA", "transB"}}};
  t["Softmax"] = {{1, importSoftmax, {"axis"}}};
  t["LogSoftmax"] = {{1, importLogSoftmax, {"axis"}}};
  t["ReduceMean"] = {{1, importReduce<onnx::ReduceMeanOp, 18>, {"axes", "keepdims", "noop_with_empty_axes"}}};
  t["ReduceSum"] = {{1, importReduce<onnx::ReduceSumOp, 13>, {"axes", "keepdims", "noop_with_empty_axes"}}};
  t["ReduceMax"] = {{1, importReduce<onnx::ReduceMaxOp, 18>, {"axes", "keepdims", "noop_with_empty_axes"}}};
  t["CumSum"] = {{11, importCumSum, {"exclusive", "reverse"}}};
  t["Trilu"] = {{14, importTrilu, {"upper"}}};
  t["LayerNormalization"] = {{17, importLayerNormalization, {"axis", "epsilon", "stash_type"}}};
  t["Gelu"] = {{20, importGelu, {"approximate"}}};
  // onnxruntime's RMSNorm, registered by it in the default domain.
  t["SimplifiedLayerNormalization"] = {{1, importSimplifiedLayerNormalization, {"axis", "epsilon", "stash_type"}}};
}

} // namespace edge
