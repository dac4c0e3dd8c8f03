//===- ContribHandlers.cpp - com.microsoft ops that exported LLMs carry -------===//
//
// onnxruntime's contrib ops, decomposed into onnx dialect primitives with the semantics
// of onnxruntime's CPU kernels. What is supported of each:
//   SkipLayerNormalization, SkipSimplifiedLayerNormalization: all inputs and outputs;
//     epsilon.
//   SimplifiedLayerNormalization (also default domain): axis, epsilon.
//   FastGelu (tanh GELU with optional bias), BiasGelu (erf GELU of a sum).
//   RotaryEmbedding: 3-D (with num_heads) or 4-D input, position_ids [batch, seq] or a
//     start position [1], partial rotary_embedding_dim, interleaved 0 or 1; scale 1 only.
//   MultiHeadAttention: separate 3-D query/key/value, bias, attention_bias, past_key/
//     past_value (present = past + new), unidirectional, scale; no key_padding_mask.
//   GroupQueryAttention: separate query/key/value, past_key/past_value concatenated with
//     the new keys (not a shared buffer: the past holds exactly the earlier tokens),
//     seqlens_k bounding each batch row, do_rotary with cos/sin caches, scale; not
//     local_window_size, softcap or smooth_softmax.
// Any other attribute is refused by name (see the registrations below); an unsupported
// attribute value or input is an error naming it.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

Type i64Type(NodeContext &node) { return node.builder().getI64Type(); }

/// A constant 1-D i64 tensor.
GraphValue constantList(NodeContext &node, llvm::ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, i64Type(node));
  GraphValue result;
  result.value = arith::ConstantOp::create(node.builder(), node.loc(), DenseElementsAttr::get(type, values));
  result.shape = {SymDim::fixed(static_cast<int64_t>(values.size()))};
  result.elementType = i64Type(node);
  return result;
}

/// x[..., start:end] along `axis` (static bounds).
GraphValue slice(NodeContext &node, const GraphValue &x, int64_t axis, int64_t start, int64_t end) {
  SymShape shape = x.shape;
  shape[axis] = SymDim::fixed(end - start);
  GraphValue result;
  result.shape = shape;
  result.elementType = x.elementType;
  result.value = onnx::SliceOp::create(node.builder(), node.loc(), node.tensorType(shape, x.elementType), x.value,
                                       constantList(node, {start}).value, constantList(node, {end}).value,
                                       node.builder().getDenseI64ArrayAttr({axis}), node.builder().getDenseI64ArrayAttr({1}));
  return result;
}

llvm::Expected<GraphValue> concat(NodeContext &node, llvm::ArrayRef<GraphValue> parts, int64_t axis) {
  SymShape shape = parts[0].shape;
  shape[axis] = SymDim::fixed(0);
  SmallVector<Value> values;
  for (const GraphValue &p : parts) {
    for (size_t d = 0; d < shape.size(); ++d)
      if (static_cast<int64_t>(d) != axis && !provablyEqual(p.shape[d], parts[0].shape[d]))
        return node.error("operands " + describe(p.shape, node.symbols()) + " and " +
                          describe(parts[0].shape, node.symbols()) + " differ off the concatenated axis");
    shape[axis] = foldIntOp(IntOp::Add, shape[axis], p.shape[axis]);
    values.push_back(p.value);
  }
  GraphValue result;
  result.shape = shape;
  result.elementType = parts[0].elementType;
  result.value = onnx::ConcatOp::create(node.builder(), node.loc(), node.tensorType(shape, result.elementType), values,
                                        signedAttr(node.context(), axis));
  return result;
}

GraphValue transpose(NodeContext &node, const GraphValue &x, llvm::ArrayRef<int64_t> perm) {
  GraphValue result;
  for (int64_t p : perm) result.shape.push_back(x.shape[p]);
  result.elementType = x.elementType;
  result.value = onnx::TransposeOp::create(node.builder(), node.loc(), node.tensorType(result.shape, x.elementType),
                                           x.value, node.builder().getDenseI64ArrayAttr(perm));
  return result;
}

/// [b, s, n * h] → [b, n, s, h].
llvm::Expected<GraphValue> splitHeads(NodeContext &node, const GraphValue &x, int64_t heads, llvm::StringRef what) {
  if (x.shape.size() != 3 || !x.shape[2].isStatic() || heads <= 0 || x.shape[2].value % heads)
    return node.error(what + " must be [batch, sequence, heads * head_size] with a static last dim divisible by " +
                      llvm::Twine(heads) + " heads");
  GraphValue split = buildReshape(node, x, {x.shape[0], x.shape[1], SymDim::fixed(heads), SymDim::fixed(x.shape[2].value / heads)},
                                  {0, 1, 0, 0});
  return transpose(node, split, {0, 2, 1, 3});
}

/// [b, n, s, h] → [b, s, n * h].
GraphValue mergeHeads(NodeContext &node, const GraphValue &x) {
  GraphValue t = transpose(node, x, {0, 2, 1, 3});
  SymDim width = foldIntOp(IntOp::Mul, t.shape[2], t.shape[3]);
  return buildReshape(node, t, {t.shape[0], t.shape[1], width}, {0, 1, 0});
}

/// A rank-0 i64 tensor holding a dim's value.
GraphValue dimScalar(NodeContext &node, const SymDim &dim) {
  GraphValue result;
  Value v = node.knownValue(dim);
  result.value = tensor::FromElementsOp::create(node.builder(), node.loc(), RankedTensorType::get({}, i64Type(node)), v);
  result.elementType = i64Type(node);
  return result;
}

/// [0, 1, ..., n - 1] as i64.
GraphValue arange(NodeContext &node, const SymDim &n) {
  GraphValue zero = node.scalarConstant(0, i64Type(node)), one = node.scalarConstant(1, i64Type(node));
  GraphValue result;
  result.shape = {n};
  result.elementType = i64Type(node);
  result.value = onnx::RangeOp::create(node.builder(), node.loc(), node.tensorType(result.shape, result.elementType),
                                       zero.value, dimScalar(node, n).value, one.value);
  return result;
}

GraphValue unsqueeze(NodeContext &node, const GraphValue &x, int64_t axis) {
  SymShape shape = x.shape;
  shape.insert(shape.begin() + axis, SymDim::fixed(1));
  std::vector<int64_t> sources;
  for (size_t i = 0; i < shape.size(); ++i) sources.push_back(static_cast<int64_t>(i) < axis ? i : std::max<int64_t>(0, i - 1));
  return buildReshape(node, x, shape, sources);
}

/// out[..., :rot] rotated by the angles whose cos/sin are given (broadcastable to x's
/// leading dims and rot / 2), the rest of x passed through.
llvm::Expected<GraphValue> rotate(NodeContext &node, const GraphValue &x, const GraphValue &cos, const GraphValue &sin,
                                  int64_t rot, bool interleaved) {
  int64_t last = static_cast<int64_t>(x.shape.size()) - 1, width = x.shape[last].value, half = rot / 2;
  GraphValue part = rot == width ? x : slice(node, x, last, 0, rot);
  GraphValue x1, x2;
  if (!interleaved) {
    x1 = slice(node, part, last, 0, half);
    x2 = slice(node, part, last, half, rot);
  } else {
    // pairs (x[2i], x[2i+1]): view as [..., rot/2, 2] and take each column.
    SymShape pairs(part.shape.begin(), part.shape.end() - 1);
    pairs.push_back(SymDim::fixed(half));
    pairs.push_back(SymDim::fixed(2));
    std::vector<int64_t> sources;
    for (int64_t i = 0; i <= last + 1; ++i) sources.push_back(std::min(i, last));
    GraphValue viewed = buildReshape(node, part, pairs, sources);
    SymShape flat(pairs.begin(), pairs.end() - 1);
    std::vector<int64_t> flatSources(sources.begin(), sources.end() - 1);
    x1 = buildReshape(node, slice(node, viewed, last + 1, 0, 1), flat, flatSources);
    x2 = buildReshape(node, slice(node, viewed, last + 1, 1, 2), flat, flatSources);
  }
  EDGE_TRY(a, buildBinary<onnx::MulOp>(node, x1, cos));
  EDGE_TRY(b, buildBinary<onnx::MulOp>(node, x2, sin));
  EDGE_TRY(c, buildBinary<onnx::MulOp>(node, x2, cos));
  EDGE_TRY(d, buildBinary<onnx::MulOp>(node, x1, sin));
  EDGE_TRY(out1, buildBinary<onnx::SubOp>(node, a, b));
  EDGE_TRY(out2, buildBinary<onnx::AddOp>(node, c, d));
  if (out1.shape != x1.shape) return node.error("cos/sin caches do not broadcast to the rotated input");
  GraphValue rotated;
  if (!interleaved) {
    EDGE_TRY(joined, concat(node, {out1, out2}, last));
    rotated = joined;
  } else {
    EDGE_TRY(joined, concat(node, {unsqueeze(node, out1, last + 1), unsqueeze(node, out2, last + 1)}, last + 1));
    std::vector<int64_t> sources;
    for (int64_t i = 0; i <= last; ++i) sources.push_back(i);
    rotated = buildReshape(node, joined, part.shape, sources);
  }
  if (rot == width) return rotated;
  return concat(node, {rotated, slice(node, x, last, rot, width)}, last);
}

/// cos/sin rows for `positions` ([b, s] i64) from a [max_position, rot/2] cache, with a
/// unit dim inserted at `headAxis` to broadcast over heads.
llvm::Expected<std::pair<GraphValue, GraphValue>> rotaryAngles(NodeContext &node, const GraphValue &positions,
                                                               const GraphValue &cosCache, const GraphValue &sinCache,
                                                               int64_t headAxis) {
  if (cosCache.shape.size() != 2 || sinCache.shape != cosCache.shape || cosCache.elementType != sinCache.elementType)
    return node.error("cos_cache and sin_cache must be [max_position, rotary_dim / 2] of one element type");
  auto gather = [&](const GraphValue &cache) {
    GraphValue rows;
    rows.shape = positions.shape;
    rows.shape.push_back(cache.shape[1]);
    rows.elementType = cache.elementType;
    rows.value = onnx::GatherOp::create(node.builder(), node.loc(), node.tensorType(rows.shape, rows.elementType),
                                        cache.value, positions.value, signedAttr(node.context(), 0));
    return unsqueeze(node, rows, headAxis);
  };
  return std::make_pair(gather(cosCache), gather(sinCache));
}

llvm::Error checkRotaryScale(NodeContext &node) {
  if (node.attrFloat("scale", 1.0f) != 1.0f) return node.error("unsupported attribute value scale (only 1.0)");
  return llvm::Error::success();
}

llvm::Error importRotaryEmbedding(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  EDGE_TRY(positionIds, node.input(1));
  EDGE_TRY(cosCache, node.input(2));
  EDGE_TRY(sinCache, node.input(3));
  if (llvm::Error e = checkRotaryScale(node)) return e;
  if (node.attrInt("is_packed_batching", 0)) return node.error("unsupported attribute value is_packed_batching (only 0)");
  if (!positionIds.elementType.isInteger(64)) return node.error("position_ids must be int64");
  if (cosCache.shape.size() != 2 || !cosCache.shape[1].isStatic()) return node.error("cos_cache must be 2-D with a static width");
  int64_t rot = node.attrInt("rotary_embedding_dim", 0), heads = node.attrInt("num_heads", 0);
  bool fourD = input.shape.size() == 4;
  GraphValue x = input;
  if (!fourD) {
    if (input.shape.size() != 3 || !input.shape[2].isStatic()) return node.error("input must be 3-D or 4-D with a static last dim");
    if (heads <= 0) heads = input.shape[2].value / (rot ? rot : 2 * cosCache.shape[1].value);
    if (heads <= 0 || input.shape[2].value % heads) return node.error("cannot split the hidden size into num_heads heads");
    x = buildReshape(node, input, {input.shape[0], input.shape[1], SymDim::fixed(heads), SymDim::fixed(input.shape[2].value / heads)},
                     {0, 1, 0, 0});
  }
  int64_t headSize = x.shape[3].value;
  if (rot == 0) rot = headSize;
  if (rot % 2 || rot > headSize || rot / 2 != cosCache.shape[1].value)
    return node.error("rotary_embedding_dim " + llvm::Twine(rot) + " does not fit head size " + llvm::Twine(headSize) +
                      " and a cache of width " + llvm::Twine(cosCache.shape[1].value));
  // [b, n, s, h] has the sequence at axis 2, [b, s, n, h] at axis 1.
  int64_t seqAxis = fourD ? 2 : 1;
  GraphValue positions = positionIds;
  if (positionIds.shape.size() == 1) {
    // A start position: start + [0, seq).
    EDGE_TRY(shifted, buildBinary<onnx::AddOp>(node, arange(node, x.shape[seqAxis]), positionIds));
    positions = unsqueeze(node, shifted, 0);
  } else if (positionIds.shape.size() != 2) {
    return node.error("position_ids must be [batch, sequence] or [1]");
  }
  EDGE_TRY(angles, rotaryAngles(node, positions, cosCache, sinCache, fourD ? 1 : 2));
  EDGE_TRY(rotated, rotate(node, x, angles.first, angles.second, rot, node.attrInt("interleaved", 0) != 0));
  node.forwardOutput(0, fourD ? rotated : buildReshape(node, rotated, input.shape, {0, 1, 2}));
  return llvm::Error::success();
}

/// Adds the optional input `index` to `x`, when present.
llvm::Expected<GraphValue> addOptional(NodeContext &node, const GraphValue &x, size_t index) {
  if (!node.hasInput(index)) return x;
  EDGE_TRY(other, node.input(index));
  return buildBinary<onnx::AddOp>(node, x, other);
}

/// SkipLayerNormalization / SkipSimplifiedLayerNormalization: s = input + skip (+ bias),
/// normalized over the last dim; s is output 3.
template <bool rms>
llvm::Error importSkipNormalization(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  EDGE_TRY(skip, node.input(1));
  EDGE_TRY(gamma, node.input(2));
  EDGE_TRY(sum, buildBinary<onnx::AddOp>(node, input, skip));
  std::optional<GraphValue> beta;
  size_t biasIndex = rms ? 3 : 4;
  if (!rms && node.hasInput(3)) {
    EDGE_TRY(b, node.input(3));
    beta = b;
  }
  EDGE_TRY(s, addOptional(node, sum, biasIndex));
  if (s.shape != input.shape) return node.error("skip or bias does not broadcast to the input's shape");
  EDGE_TRY(norm, buildNormalization(node, s, gamma, beta, -1, node.attrFloat("epsilon", 1e-5f), rms));
  node.forwardOutput(0, norm.output);
  if (!rms) node.forwardOutput(1, norm.mean);
  if (node.getNode().output_size() > 2 && !node.getNode().output(2).empty()) node.forwardOutput(2, norm.invStdDev());
  node.forwardOutput(3, s);
  return llvm::Error::success();
}

llvm::Error importFastGelu(NodeContext &node) {
  EDGE_TRY(x, node.input(0));
  EDGE_TRY(biased, addOptional(node, x, 1));
  EDGE_TRY(result, buildGelu(node, biased, true));
  node.forwardOutput(0, result);
  return llvm::Error::success();
}

llvm::Error importBiasGelu(NodeContext &node) {
  EDGE_TRY(a, node.input(0));
  EDGE_TRY(b, node.input(1));
  EDGE_TRY(sum, buildBinary<onnx::AddOp>(node, a, b));
  EDGE_TRY(result, buildGelu(node, sum, false));
  node.forwardOutput(0, result);
  return llvm::Error::success();
}

/// softmax(q k^T * scale + bias) v over heads [b, n, s, h] x [b, n, t, h]; `bias` is
/// [s, t] or broadcastable to [b, n, s, t].
llvm::Expected<GraphValue> attend(NodeContext &node, const GraphValue &q, const GraphValue &k, const GraphValue &v,
                                  float scale, llvm::ArrayRef<GraphValue> biases) {
  GraphValue kt = transpose(node, k, {0, 1, 3, 2});
  GraphValue scores;
  scores.shape = {q.shape[0], q.shape[1], q.shape[2], k.shape[2]};
  scores.elementType = q.elementType;
  scores.value = onnx::MatMulOp::create(node.builder(), node.loc(), node.tensorType(scores.shape, q.elementType), q.value, kt.value);
  EDGE_TRY(scaled, buildBinary<onnx::MulOp>(node, scores, node.scalarConstant(scale, q.elementType)));
  GraphValue logits = scaled;
  for (const GraphValue &bias : biases) {
    EDGE_TRY(biased, buildBinary<onnx::AddOp>(node, logits, bias));
    if (biased.shape != logits.shape) return node.error("attention bias does not broadcast to the scores");
    logits = biased;
  }
  GraphValue probs = logits;
  probs.value = onnx::SoftmaxOp::create(node.builder(), node.loc(), logits.value.getType(), logits.value,
                                        signedAttr(node.context(), 3));
  GraphValue out;
  out.shape = {q.shape[0], q.shape[1], q.shape[2], v.shape[3]};
  out.elementType = q.elementType;
  out.value = onnx::MatMulOp::create(node.builder(), node.loc(), node.tensorType(out.shape, q.elementType), probs.value, v.value);
  return out;
}

/// [s, t] additive mask: query i (at absolute position t - s + i) sees keys j <= t - s + i.
llvm::Expected<GraphValue> causalMask(NodeContext &node, const SymDim &s, const SymDim &t, Type element) {
  EDGE_TRY(queries, buildBinary<onnx::AddOp>(node, arange(node, s), dimScalar(node, foldIntOp(IntOp::Sub, t, s))));
  EDGE_TRY(allowed, buildBinary<onnx::LessOrEqualOp>(node, unsqueeze(node, arange(node, t), 0), unsqueeze(node, queries, 1),
                                                     node.builder().getI1Type()));
  GraphValue zero = node.scalarConstant(0, element), blocked = node.scalarConstant(-1e30, element);
  GraphValue mask;
  mask.shape = allowed.shape;
  mask.elementType = element;
  mask.value = onnx::WhereOp::create(node.builder(), node.loc(), node.tensorType(mask.shape, element), allowed.value,
                                     zero.value, blocked.value);
  return mask;
}

llvm::Error importMultiHeadAttention(NodeContext &node) {
  int64_t heads = node.attrInt("num_heads", 0);
  if (heads <= 0) return node.error("num_heads must be positive");
  if (!node.hasInput(1) || !node.hasInput(2)) return node.error("unsupported input form: packed QKV (key and value are required)");
  if (node.hasInput(4)) return node.error("unsupported input key_padding_mask");
  for (size_t i = 8; i < node.numInputs(); ++i)
    if (node.hasInput(i)) return node.error("unsupported input " + llvm::Twine(i));
  EDGE_TRY(query, node.input(0));
  EDGE_TRY(key, node.input(1));
  EDGE_TRY(value, node.input(2));
  GraphValue q = query, k = key, v = value;
  if (node.hasInput(3)) {
    EDGE_TRY(bias, node.input(3));
    if (bias.shape.size() != 1 || !q.shape.back().isStatic() || !k.shape.back().isStatic() || !v.shape.back().isStatic())
      return node.error("bias must be 1-D over static hidden sizes");
    int64_t dq = q.shape.back().value, dk = k.shape.back().value, dv = v.shape.back().value;
    EDGE_TRY(qb, buildBinary<onnx::AddOp>(node, q, slice(node, bias, 0, 0, dq)));
    EDGE_TRY(kb, buildBinary<onnx::AddOp>(node, k, slice(node, bias, 0, dq, dq + dk)));
    EDGE_TRY(vb, buildBinary<onnx::AddOp>(node, v, slice(node, bias, 0, dq + dk, dq + dk + dv)));
    q = qb, k = kb, v = vb;
  }
  EDGE_TRY(qh, splitHeads(node, q, heads, "query"));
  EDGE_TRY(kh, splitHeads(node, k, heads, "key"));
  EDGE_TRY(vh, splitHeads(node, v, heads, "value"));
  GraphValue keys = kh, values = vh;
  if (node.hasInput(6) != node.hasInput(7)) return node.error("past_key and past_value come together");
  if (node.hasInput(6)) {
    EDGE_TRY(pastKey, node.input(6));
    EDGE_TRY(pastValue, node.input(7));
    EDGE_TRY(allKeys, concat(node, {pastKey, kh}, 2));
    EDGE_TRY(allValues, concat(node, {pastValue, vh}, 2));
    keys = allKeys, values = allValues;
  }
  std::vector<GraphValue> biases;
  if (node.hasInput(5)) {
    EDGE_TRY(attentionBias, node.input(5));
    biases.push_back(attentionBias);
  }
  if (node.attrInt("unidirectional", 0)) {
    EDGE_TRY(mask, causalMask(node, qh.shape[2], keys.shape[2], q.elementType));
    biases.push_back(mask);
  }
  float scale = node.attrFloat("scale", 0.0f);
  if (scale == 0.0f) scale = 1.0f / std::sqrt(static_cast<float>(qh.shape[3].value));
  EDGE_TRY(out, attend(node, qh, keys, values, scale, biases));
  node.forwardOutput(0, mergeHeads(node, out));
  node.forwardOutput(1, keys);
  node.forwardOutput(2, values);
  return llvm::Error::success();
}

/// [b, kv, t, h] → [b, kv * groups, t, h], each KV head serving `groups` query heads.
GraphValue repeatKv(NodeContext &node, const GraphValue &x, int64_t groups) {
  if (groups == 1) return x;
  GraphValue wide = unsqueeze(node, x, 2);
  SymShape expanded = wide.shape;
  expanded[2] = SymDim::fixed(groups);
  GraphValue shape;
  shape.value = node.shapeTensor(expanded, wide, {0, 1, 2, 3, 4});
  GraphValue e;
  e.shape = expanded;
  e.elementType = x.elementType;
  e.value = onnx::ExpandOp::create(node.builder(), node.loc(), node.tensorType(expanded, x.elementType), wide.value, shape.value);
  return buildReshape(node, e, {x.shape[0], foldIntOp(IntOp::Mul, x.shape[1], SymDim::fixed(groups)), x.shape[2], x.shape[3]},
                      {0, 0, 3, 4});
}

llvm::Error importGroupQueryAttention(NodeContext &node) {
  int64_t heads = node.attrInt("num_heads", 0), kvHeads = node.attrInt("kv_num_heads", 0);
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads) return node.error("num_heads must be a positive multiple of kv_num_heads");
  if (node.attrInt("local_window_size", -1) != -1) return node.error("unsupported attribute value local_window_size (only -1)");
  if (node.attrFloat("softcap", 0.0f) != 0.0f) return node.error("unsupported attribute value softcap (only 0)");
  if (node.attrInt("smooth_softmax", 0)) return node.error("unsupported attribute value smooth_softmax (only 0)");
  if (!node.hasInput(1) || !node.hasInput(2)) return node.error("unsupported input form: packed QKV (key and value are required)");
  for (size_t i = 9; i < node.numInputs(); ++i)
    if (node.hasInput(i)) return node.error("unsupported input " + llvm::Twine(i));
  EDGE_TRY(query, node.input(0));
  EDGE_TRY(key, node.input(1));
  EDGE_TRY(value, node.input(2));
  EDGE_TRY(seqlens, node.input(5));
  if (seqlens.shape.size() != 1 || !isa<IntegerType>(seqlens.elementType))
    return node.error("seqlens_k must be a 1-D integer tensor [batch]");
  EDGE_TRY(qh, splitHeads(node, query, heads, "query"));
  EDGE_TRY(khNew, splitHeads(node, key, kvHeads, "key"));
  EDGE_TRY(vh, splitHeads(node, value, kvHeads, "value"));
  GraphValue q = qh, kNew = khNew;
  SymDim past = SymDim::fixed(0);
  if (node.hasInput(3) != node.hasInput(4)) return node.error("past_key and past_value come together");
  GraphValue pastKey, pastValue;
  if (node.hasInput(3)) {
    EDGE_TRY(pk, node.input(3));
    EDGE_TRY(pv, node.input(4));
    if (pk.shape.size() != 4) return node.error("past_key must be [batch, kv_num_heads, past, head_size]");
    pastKey = pk, pastValue = pv;
    past = pk.shape[2];
  }
  if (node.attrInt("do_rotary", 0)) {
    EDGE_TRY(cosCache, node.input(7));
    EDGE_TRY(sinCache, node.input(8));
    // The new tokens sit at positions past .. past + seq - 1.
    EDGE_TRY(positions, buildBinary<onnx::AddOp>(node, arange(node, q.shape[2]), dimScalar(node, past)));
    EDGE_TRY(angles, rotaryAngles(node, unsqueeze(node, positions, 0), cosCache, sinCache, 1));
    int64_t rot = 2 * cosCache.shape[1].value;
    bool interleaved = node.attrInt("rotary_interleaved", 0) != 0;
    EDGE_TRY(qr, rotate(node, q, angles.first, angles.second, rot, interleaved));
    EDGE_TRY(kr, rotate(node, kNew, angles.first, angles.second, rot, interleaved));
    q = qr, kNew = kr;
  }
  GraphValue keys = kNew, values = vh;
  if (node.hasInput(3)) {
    EDGE_TRY(allKeys, concat(node, {pastKey, kNew}, 2));
    EDGE_TRY(allValues, concat(node, {pastValue, vh}, 2));
    keys = allKeys, values = allValues;
  }
  // Causal over the concatenated keys, and no key at or past row b's total length
  // (seqlens_k[b] + 1).
  EDGE_TRY(mask, causalMask(node, q.shape[2], keys.shape[2], q.elementType));
  GraphValue lengths = seqlens;
  if (!seqlens.elementType.isInteger(64))
    lengths.value = onnx::CastOp::create(node.builder(), node.loc(), node.tensorType(seqlens.shape, i64Type(node)), seqlens.value),
    lengths.elementType = i64Type(node);
  GraphValue rows = buildReshape(node, lengths, {lengths.shape[0], SymDim::fixed(1), SymDim::fixed(1), SymDim::fixed(1)}, {0, 0, 0, 0});
  EDGE_TRY(inside, buildBinary<onnx::LessOrEqualOp>(node, arange(node, keys.shape[2]), rows, node.builder().getI1Type()));
  GraphValue padding;
  padding.shape = inside.shape;
  padding.elementType = q.elementType;
  padding.value = onnx::WhereOp::create(node.builder(), node.loc(), node.tensorType(inside.shape, q.elementType), inside.value,
                                        node.scalarConstant(0, q.elementType).value, node.scalarConstant(-1e30, q.elementType).value);
  float scale = node.attrFloat("scale", 0.0f);
  if (scale == 0.0f) scale = 1.0f / std::sqrt(static_cast<float>(q.shape[3].value));
  EDGE_TRY(out, attend(node, q, repeatKv(node, keys, heads / kvHeads), repeatKv(node, values, heads / kvHeads), scale,
                       {mask, padding}));
  node.forwardOutput(0, mergeHeads(node, out));
  node.forwardOutput(1, keys);
  node.forwardOutput(2, values);
  return llvm::Error::success();
}

} // namespace

void addContribHandlers(HandlerTable &t) {
  t["SkipLayerNormalization"] = {{1, importSkipNormalization<false>, {"epsilon"}}};
  t["SkipSimplifiedLayerNormalization"] = {{1, importSkipNormalization<true>, {"epsilon"}}};
  t["FastGelu"] = {{1, importFastGelu}};
  t["BiasGelu"] = {{1, importBiasGelu}};
  t["RotaryEmbedding"] = {{1, importRotaryEmbedding,
                           {"interleaved", "num_heads", "rotary_embedding_dim", "scale", "is_packed_batching"}}};
  t["MultiHeadAttention"] = {{1, importMultiHeadAttention, {"num_heads", "scale", "unidirectional", "mask_filter_value"}}};
  t["GroupQueryAttention"] = {{1, importGroupQueryAttention,
                               {"num_heads", "kv_num_heads", "scale", "do_rotary", "rotary_interleaved",
                                "local_window_size", "softcap", "smooth_softmax"}}};
  HandlerTable standard;
  addNnHandlers(standard);
  t["SimplifiedLayerNormalization"] = standard["SimplifiedLayerNormalization"];
}

} // namespace edge
