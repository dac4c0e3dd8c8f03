//===- ShapeHandlers.cpp - shape and data-movement ops ---------------------===//
//
// Exporters compute shapes at run time (Shape → Gather → Unsqueeze → Concat → Reshape).
// These handlers fold such chains on what is known of each element (static or a named
// dim), so that the imported graph keeps only the data ops; what cannot be folded is
// computed at run time from tensor dims.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {
namespace {

constexpr int64_t kMaxFoldedElements = 4096;

SymDim product(const SymShape &shape, size_t from, size_t to) {
  SymDim p = SymDim::fixed(1);
  for (size_t i = from; i < to; ++i) p = foldIntOp(IntOp::Mul, p, shape[i]);
  return p;
}

/// The run-time i64 value of the product of dims [from, to) of `input`.
Value productValue(NodeContext &node, const GraphValue &input, size_t from, size_t to) {
  Value p = arith::ConstantOp::create(node.builder(), node.loc(), node.builder().getI64IntegerAttr(1));
  for (size_t i = from; i < to; ++i) p = arith::MulIOp::create(node.builder(), node.loc(), p, node.dimValue(input, i));
  return p;
}

/// An i64 1-D tensor value of an integer input (shape operands are i64 in the onnx dialect).
Value asI64(NodeContext &node, const GraphValue &value) {
  if (value.elementType.isInteger(64)) return value.value;
  return onnx::CastOp::create(node.builder(), node.loc(), node.tensorType(value.shape, node.builder().getI64Type()),
                              value.value);
}

/// What is known of a 1-D integer input of static length: its elements, or unknowns.
llvm::Expected<SymShape> intsOrUnknown(NodeContext &node, const GraphValue &value, size_t index, llvm::StringRef what) {
  if (value.shape.size() != 1 || !value.shape[0].isStatic() || !isa<IntegerType>(value.elementType))
    return node.error(what + " must be a 1-D integer tensor of static length");
  if (auto known = node.knownInts(index)) return *known;
  return SymShape(value.shape[0].value, SymDim::unknown());
}

/// Constant list input (opset >= `inputSince`) or ints attribute (before).
llvm::Expected<std::optional<std::vector<int64_t>>> listArgument(NodeContext &node, size_t index, const char *name,
                                                                 int64_t inputSince) {
  if (node.getOpset() >= inputSince) {
    if (!node.hasInput(index)) return std::optional<std::vector<int64_t>>();
    EDGE_TRY(values, node.requireInts(index, name));
    return std::optional<std::vector<int64_t>>(values);
  }
  return node.attrInts(name);
}

} // namespace

GraphValue buildReshape(NodeContext &node, const GraphValue &input, const SymShape &shape,
                        llvm::ArrayRef<int64_t> sources) {
  Value target = node.shapeTensor(shape, input, sources);
  GraphValue result;
  result.shape = shape;
  result.elementType = input.elementType;
  result.value = onnx::ReshapeOp::create(node.builder(), node.loc(), node.tensorType(shape, input.elementType),
                                         input.value, target, node.builder().getI64IntegerAttr(1));
  return result;
}

namespace {

llvm::Error importShape(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  int64_t rank = static_cast<int64_t>(data.shape.size());
  auto clampIndex = [&](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t(0), rank); };
  int64_t start = clampIndex(node.attrInt("start", 0)), end = clampIndex(node.attrInt("end", rank));
  end = std::max(start, end);
  SymShape dims(data.shape.begin() + start, data.shape.begin() + end);
  Type i64 = node.builder().getI64Type();
  if (node.setKnownIntsOutput(0, dims, i64)) return llvm::Error::success();
  std::vector<int64_t> sources;
  for (int64_t i = start; i < end; ++i) sources.push_back(i);
  Value result = node.shapeTensor(dims, data, sources);
  node.setOutput(0, result, {SymDim::fixed(end - start)});
  node.setOutputInts(0, dims);
  return llvm::Error::success();
}

llvm::Error importSize(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  SymDim count = product(data.shape, 0, data.shape.size());
  Type i64 = node.builder().getI64Type();
  if (node.setKnownIntsOutput(0, {count}, i64, /*scalar=*/true)) return llvm::Error::success();
  Value total = productValue(node, data, 0, data.shape.size());
  Value result = tensor::FromElementsOp::create(node.builder(), node.loc(), RankedTensorType::get({}, i64), total);
  node.setOutput(0, result, {});
  return llvm::Error::success();
}

llvm::Error importReshape(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  bool allowZero = node.attrInt("allowzero", 0) != 0;
  SymShape target;
  Value shapeValue;
  if (node.getOpset() < 5) {
    auto attr = node.attrInts("shape");
    if (!attr) return node.error("missing 'shape' attribute");
    for (int64_t v : *attr) target.push_back(SymDim::fixed(v));
  } else {
    EDGE_TRY(shape, node.input(1));
    EDGE_TRY(known, intsOrUnknown(node, shape, 1, "shape"));
    target = known;
    shapeValue = asI64(node, shape);
  }
  auto result = reshapeShape(data.shape, target, allowZero, node.dimEqualities());
  if (!result) return node.error(result.takeError());
  // A shape list reshaped to a list (exporters flatten with [-1]) keeps what is known.
  if (data.shape.size() <= 1 && result->size() <= 1 && isa<IntegerType>(data.elementType))
    if (auto known = node.knownInts(0))
      if (node.setKnownIntsOutput(0, *known, data.elementType, result->empty())) return llvm::Error::success();
  if (!shapeValue) {
    std::vector<int64_t> sources(target.size(), 0);
    node.forwardOutput(0, buildReshape(node, data, *result, sources));
    return llvm::Error::success();
  }
  Value reshaped = onnx::ReshapeOp::create(node.builder(), node.loc(), node.tensorType(*result, data.elementType),
                                           data.value, shapeValue, node.builder().getI64IntegerAttr(allowZero));
  node.setOutput(0, reshaped, *result);
  return llvm::Error::success();
}

llvm::Error importFlatten(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  size_t rank = input.shape.size();
  int64_t axis = normalizeAxis(node.attrInt("axis", 1), rank);
  if (axis < 0 || axis > static_cast<int64_t>(rank)) return node.error("axis out of range for rank " + llvm::Twine(rank));
  SymShape shape = {product(input.shape, 0, axis), product(input.shape, axis, rank)};
  SmallVector<Value> dims;
  for (auto [i, d] : llvm::enumerate(shape))
    dims.push_back(d.isKnown() ? node.knownValue(d)
                               : productValue(node, input, i == 0 ? 0 : axis, i == 0 ? axis : rank));
  Value target = tensor::FromElementsOp::create(node.builder(), node.loc(),
                                                RankedTensorType::get({2}, node.builder().getI64Type()), dims);
  Value result = onnx::ReshapeOp::create(node.builder(), node.loc(), node.tensorType(shape, input.elementType),
                                         input.value, target, node.builder().getI64IntegerAttr(1));
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

llvm::Error importSqueeze(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  size_t rank = input.shape.size();
  EDGE_TRY(axesArg, listArgument(node, 1, "axes", 13));
  std::vector<int64_t> axes;
  if (axesArg) {
    EDGE_TRY(normalized, normalizeAxes(node, *axesArg, rank));
    axes = normalized;
  } else {
    for (size_t i = 0; i < rank; ++i)
      if (input.shape[i].isStatic() && input.shape[i].value == 1) axes.push_back(i);
  }
  std::vector<bool> dropped(rank, false);
  for (int64_t a : axes) {
    if (!input.shape[a].isStatic() || input.shape[a].value != 1)
      return node.error("dim " + llvm::Twine(a) + " is " + describe(input.shape[a], node.symbols()) + ", not 1");
    dropped[a] = true;
  }
  SymShape shape;
  std::vector<int64_t> sources;
  for (size_t i = 0; i < rank; ++i)
    if (!dropped[i]) {
      shape.push_back(input.shape[i]);
      sources.push_back(i);
    }
  if (rank == 1 && shape.empty())
    if (auto known = node.knownInts(0); known && known->size() == 1)
      if (node.setKnownIntsOutput(0, *known, input.elementType, /*scalar=*/true)) return llvm::Error::success();
  node.forwardOutput(0, buildReshape(node, input, shape, sources));
  return llvm::Error::success();
}

llvm::Error importUnsqueeze(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  EDGE_TRY(axesArg, listArgument(node, 1, "axes", 13));
  if (!axesArg) return node.error("missing axes");
  size_t rank = input.shape.size() + axesArg->size();
  EDGE_TRY(axes, normalizeAxes(node, *axesArg, rank));
  std::vector<bool> inserted(rank, false);
  for (int64_t a : axes) inserted[a] = true;
  SymShape shape;
  std::vector<int64_t> sources;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i) {
    if (inserted[i]) {
      shape.push_back(SymDim::fixed(1));
      sources.push_back(0);
    } else {
      shape.push_back(input.shape[next]);
      sources.push_back(next++);
    }
  }
  if (input.shape.empty() && rank == 1)
    if (auto known = node.knownInts(0))
      if (node.setKnownIntsOutput(0, *known, input.elementType)) return llvm::Error::success();
  GraphValue result = buildReshape(node, input, shape, sources);
  node.forwardOutput(0, result);
  if (input.shape.empty() && rank == 1)
    if (auto known = node.knownInts(0)) node.setOutputInts(0, *known);
  return llvm::Error::success();
}

llvm::Error importExpand(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  EDGE_TRY(shape, node.input(1));
  EDGE_TRY(target, intsOrUnknown(node, shape, 1, "shape"));
  size_t rank = std::max(data.shape.size(), target.size());
  SymShape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t di = static_cast<int64_t>(i) - static_cast<int64_t>(rank - data.shape.size());
    int64_t ti = static_cast<int64_t>(i) - static_cast<int64_t>(rank - target.size());
    SymDim d = di < 0 ? SymDim::fixed(1) : data.shape[di];
    SymDim t = ti < 0 ? SymDim::fixed(1) : target[ti];
    if (t.isStatic() && t.value == 1) result[i] = d;
    else if (d.isStatic() && d.value == 1) result[i] = t;
    else if (provablyEqual(d, t)) result[i] = d;
    else if (!t.isKnown()) result[i] = d.isStatic() ? d : SymDim::unknown();
    else return node.error("cannot expand dim " + describe(d, node.symbols()) + " to " + describe(t, node.symbols()));
  }
  Value value = onnx::ExpandOp::create(node.builder(), node.loc(), node.tensorType(result, data.elementType),
                                       data.value, asI64(node, shape));
  node.setOutput(0, value, result);
  return llvm::Error::success();
}

llvm::Error importConcat(NodeContext &node) {
  std::vector<GraphValue> inputs;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    EDGE_TRY(input, node.input(i));
    // An empty 1-D input (a common exporter artifact in shape lists) contributes nothing.
    if (input.shape.size() == 1 && input.shape[0].isStatic() && input.shape[0].value == 0 && node.numInputs() > 1)
      continue;
    inputs.push_back(input);
  }
  if (inputs.empty()) {
    EDGE_TRY(first, node.input(0));
    node.forwardOutput(0, first);
    return llvm::Error::success();
  }
  size_t rank = inputs[0].shape.size();
  if (!node.attr("axis")) return node.error("missing 'axis' attribute");
  int64_t axis = normalizeAxis(node.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) return node.error("axis out of range for rank " + llvm::Twine(rank));
  SymShape shape = inputs[0].shape;
  shape[axis] = SymDim::fixed(0);
  SmallVector<Value> values;
  for (const GraphValue &input : inputs) {
    if (input.shape.size() != rank || input.elementType != inputs[0].elementType)
      return node.error("inputs differ in rank or element type");
    for (size_t d = 0; d < rank; ++d)
      if (static_cast<int64_t>(d) != axis && !provablyEqual(input.shape[d], shape[d]))
        return node.error("input dims " + describe(input.shape, node.symbols()) + " and " +
                          describe(inputs[0].shape, node.symbols()) + " differ off the axis");
    shape[axis] = foldIntOp(IntOp::Add, shape[axis], input.shape[axis]);
    values.push_back(input.value);
  }
  // Shape lists: concatenate what is known of each part.
  if (rank == 1 && isa<IntegerType>(inputs[0].elementType)) {
    SymShape known;
    bool allKnown = true;
    for (size_t i = 0; i < node.numInputs(); ++i) {
      auto part = node.knownInts(i);
      if (!part) {
        allKnown = false;
        break;
      }
      known.insert(known.end(), part->begin(), part->end());
    }
    if (allKnown && node.setKnownIntsOutput(0, known, inputs[0].elementType)) return llvm::Error::success();
  }
  Value result = onnx::ConcatOp::create(node.builder(), node.loc(), node.tensorType(shape, inputs[0].elementType), values,
                                        signedAttr(node.context(), axis));
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

/// Result extent of a slice of a dim, when it can be known at compile time.
SymDim sliceExtent(const SymDim &dim, const SymDim &start, const SymDim &end, int64_t step) {
  constexpr int64_t kBig = int64_t(1) << 62;
  if (dim.isStatic() && start.isStatic() && end.isStatic()) {
    int64_t n = dim.value;
    auto clampTo = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + n : v, lo, hi); };
    int64_t s = step > 0 ? clampTo(start.value, 0, n) : clampTo(start.value, -1, n - 1);
    int64_t e = step > 0 ? clampTo(end.value, 0, n) : clampTo(end.value, -1, n - 1);
    int64_t count = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
    return SymDim::fixed(std::max<int64_t>(count, 0));
  }
  if (step == 1 && start.isStatic() && start.value == 0) {
    // data[:end] keeps a whole dim for a huge end, and is `end` long when end is a named
    // dim (exporters slice position tables by the sequence length); the lowering clamps.
    if (end.isStatic() && end.value >= kBig) return dim;
    if (end.isSymbolic()) return end;
  }
  return SymDim::unknown();
}

llvm::Error importSlice(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  size_t rank = data.shape.size();
  SymShape starts, ends;
  std::vector<int64_t> axes, steps;
  Value startsValue, endsValue;
  Type i64 = node.builder().getI64Type();
  auto constantList = [&](const SymShape &list) {
    SmallVector<int64_t> values;
    for (const SymDim &d : list) values.push_back(d.value);
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, i64);
    return arith::ConstantOp::create(node.builder(), node.loc(), DenseElementsAttr::get(type, ArrayRef<int64_t>(values)))
        .getResult();
  };
  if (node.getOpset() < 10) {
    auto s = node.attrInts("starts"), e = node.attrInts("ends");
    if (!s || !e) return node.error("missing 'starts' or 'ends' attribute");
    for (int64_t v : *s) starts.push_back(SymDim::fixed(v));
    for (int64_t v : *e) ends.push_back(SymDim::fixed(v));
    if (auto a = node.attrInts("axes")) axes = *a;
    startsValue = constantList(starts);
    endsValue = constantList(ends);
  } else {
    EDGE_TRY(s, node.input(1));
    EDGE_TRY(e, node.input(2));
    EDGE_TRY(knownStarts, intsOrUnknown(node, s, 1, "starts"));
    EDGE_TRY(knownEnds, intsOrUnknown(node, e, 2, "ends"));
    starts = knownStarts;
    ends = knownEnds;
    startsValue = asI64(node, s);
    endsValue = asI64(node, e);
    if (node.hasInput(3)) {
      EDGE_TRY(a, node.requireInts(3, "axes"));
      axes = a;
    }
    if (node.hasInput(4)) {
      EDGE_TRY(st, node.requireInts(4, "steps"));
      steps = st;
    }
  }
  if (starts.size() != ends.size()) return node.error("starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return node.error("starts, ends, axes and steps differ in length");
  EDGE_TRY(normalized, normalizeAxes(node, axes, rank));
  if (llvm::is_contained(steps, 0)) return node.error("a step is 0");

  SymShape shape = data.shape;
  for (size_t i = 0; i < normalized.size(); ++i)
    shape[normalized[i]] = sliceExtent(data.shape[normalized[i]], starts[i], ends[i], steps[i]);

  // Slicing a known shape list folds.
  if (rank == 1 && isa<IntegerType>(data.elementType) && shape[0].isStatic())
    if (auto known = node.knownInts(0); known && starts[0].isStatic()) {
      int64_t n = static_cast<int64_t>(known->size());
      int64_t s = starts[0].value < 0 ? starts[0].value + n : starts[0].value;
      s = steps[0] > 0 ? std::clamp<int64_t>(s, 0, n) : std::clamp<int64_t>(s, -1, n - 1);
      SymShape picked;
      for (int64_t k = 0; k < shape[0].value; ++k) picked.push_back((*known)[s + k * steps[0]]);
      if (node.setKnownIntsOutput(0, picked, data.elementType)) return llvm::Error::success();
    }
  Value result = onnx::SliceOp::create(node.builder(), node.loc(), node.tensorType(shape, data.elementType), data.value,
                                       startsValue, endsValue, node.builder().getDenseI64ArrayAttr(normalized),
                                       node.builder().getDenseI64ArrayAttr(steps));
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

/// Split: one Slice per output, sizes from `split` (attribute before 13, input after) or
/// equal parts (the last one smaller, opset 18 num_outputs).
llvm::Error importSplit(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  size_t rank = input.shape.size();
  int64_t axis = normalizeAxis(node.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) return node.error("axis out of range");
  size_t parts = node.getNode().output_size();
  EDGE_TRY(sizesArg, listArgument(node, 1, "split", 13));
  std::vector<int64_t> sizes;
  if (sizesArg) {
    sizes = *sizesArg;
    if (sizes.size() != parts) return node.error("split has " + llvm::Twine(sizes.size()) + " sizes for " + llvm::Twine(parts) + " outputs");
  } else {
    if (!input.shape[axis].isStatic()) return node.error("equal split of a dynamic dim is not supported");
    int64_t n = input.shape[axis].value, each = (n + parts - 1) / parts;
    for (size_t i = 0; i < parts; ++i) sizes.push_back(std::max<int64_t>(0, std::min(each, n - each * int64_t(i))));
  }
  int64_t offset = 0;
  Type i64 = node.builder().getI64Type();
  auto one = RankedTensorType::get({1}, i64);
  for (size_t i = 0; i < parts; ++i) {
    if (sizes[i] < 0) return node.error("negative split size");
    SymShape shape = input.shape;
    shape[axis] = SymDim::fixed(sizes[i]);
    auto constant = [&](int64_t v) {
      return arith::ConstantOp::create(node.builder(), node.loc(), DenseElementsAttr::get(one, ArrayRef<int64_t>{v})).getResult();
    };
    Value part = onnx::SliceOp::create(node.builder(), node.loc(), node.tensorType(shape, input.elementType), input.value,
                                       constant(offset), constant(offset + sizes[i]),
                                       node.builder().getDenseI64ArrayAttr({axis}), node.builder().getDenseI64ArrayAttr({1}));
    node.setOutput(i, part, shape);
    offset += sizes[i];
  }
  if (input.shape[axis].isStatic() && offset != input.shape[axis].value)
    return node.error("split sizes add up to " + llvm::Twine(offset) + ", the dim is " + llvm::Twine(input.shape[axis].value));
  return llvm::Error::success();
}

llvm::Error importTile(NodeContext &node) {
  EDGE_TRY(input, node.input(0));
  EDGE_TRY(repeats, node.requireInts(1, "repeats"));
  if (repeats.size() != input.shape.size()) return node.error("repeats length differs from the rank");
  SymShape shape;
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i] < 0) return node.error("negative repeat");
    shape.push_back(foldIntOp(IntOp::Mul, input.shape[i], SymDim::fixed(repeats[i])));
  }
  Value result = onnx::TileOp::create(node.builder(), node.loc(), node.tensorType(shape, input.elementType), input.value,
                                      node.builder().getDenseI64ArrayAttr(repeats));
  node.setOutput(0, result, shape);
  return llvm::Error::success();
}

llvm::Error importRange(NodeContext &node) {
  EDGE_TRY(start, node.input(0));
  EDGE_TRY(limit, node.input(1));
  EDGE_TRY(delta, node.input(2));
  if (!start.shape.empty() || !limit.shape.empty() || !delta.shape.empty()) return node.error("expects scalars");
  if (start.elementType != limit.elementType || start.elementType != delta.elementType)
    return node.error("operand element types differ");
  SymDim length = SymDim::unknown();
  if (isa<IntegerType>(start.elementType)) {
    auto s = node.knownInts(0), l = node.knownInts(1), d = node.knownInts(2);
    if (s && l && d) {
      SymDim a = (*s)[0], b = (*l)[0], c = (*d)[0];
      if (a.isStatic() && b.isStatic() && c.isStatic()) {
        if (c.value == 0) return node.error("delta is 0");
        int64_t n = std::max<int64_t>(0, (b.value - a.value + c.value + (c.value > 0 ? -1 : 1)) / c.value);
        if (n <= kMaxFoldedElements) {
          SymShape values;
          for (int64_t k = 0; k < n; ++k) values.push_back(SymDim::fixed(a.value + k * c.value));
          if (node.setKnownIntsOutput(0, values, start.elementType)) return llvm::Error::success();
        }
        length = SymDim::fixed(n);
      } else if (c.isStatic() && c.value == 1) {
        // arange(start, limit) over dims: limit - start elements (positions after a past).
        length = foldIntOp(IntOp::Sub, b, a);
      }
    }
  } else if (auto s = node.constantFloat(0), l = node.constantFloat(1), d = node.constantFloat(2); s && l && d && *d != 0) {
    length = SymDim::fixed(std::max<int64_t>(0, static_cast<int64_t>(std::ceil((*l - *s) / *d))));
  }
  Value result = onnx::RangeOp::create(node.builder(), node.loc(), node.tensorType({length}, start.elementType),
                                       start.value, limit.value, delta.value);
  node.setOutput(0, result, {length});
  return llvm::Error::success();
}

llvm::Error importConstantOfShape(NodeContext &node) {
  EDGE_TRY(shapeInput, node.input(0));
  EDGE_TRY(shape, intsOrUnknown(node, shapeInput, 0, "shape"));
  Type element = node.builder().getF32Type();
  double value = 0;
  if (const auto *attr = node.attr("value")) {
    const ::onnx::TensorProto &tensor = attr->t();
    std::optional<ElementKind> kind = getElementKind(node.context(), tensor.data_type());
    if (!kind) return node.error("unsupported value element type");
    element = kind->type;
    auto source = node.attributeTensorData(tensor, kind->size, 1);
    if (!source) return node.error(source.takeError());
    if (source->byteSize != kind->size) return node.error("value must hold one element");
    auto bytes = readTensorData(*source);
    if (!bytes) return node.error(bytes.takeError());
    const uint8_t *p = bytes->data();
    if (element.isF32()) { float f; std::memcpy(&f, p, 4); value = f; }
    else if (element.isInteger(64)) { int64_t v; std::memcpy(&v, p, 8); value = static_cast<double>(v); }
    else if (element.isInteger(32)) { int32_t v; std::memcpy(&v, p, 4); value = v; }
    else if (element.isInteger(8) || element.isInteger(1)) value = static_cast<int8_t>(p[0]);
    else return node.error("unsupported value element type");
  }
  for (const SymDim &d : shape)
    if (d.isStatic() && d.value < 0) return node.error("negative dim in shape");
  // Small integer fills of known length (exporters build shape lists with them) fold.
  if (shape.size() == 1 && shape[0].isStatic() && shape[0].value <= kMaxFoldedElements && element.isInteger(64))
    if (node.setKnownIntsOutput(0, SymShape(shape[0].value, SymDim::fixed(static_cast<int64_t>(value))), element))
      return llvm::Error::success();
  TypedAttr fill = isa<FloatType>(element) ? TypedAttr(node.builder().getFloatAttr(element, value))
                                           : TypedAttr(node.builder().getIntegerAttr(element, static_cast<int64_t>(value)));
  Value result = onnx::ConstantOfShapeOp::create(node.builder(), node.loc(), node.tensorType(shape, element),
                                                 asI64(node, shapeInput), fill);
  node.setOutput(0, result, shape);
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
  int64_t axis = normalizeAxis(node.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) return node.error("axis out of range");
  // Constant indices must lie in [-n, n) of a static axis: ONNX leaves others undefined,
  // and a kernel would read another row or past the data.
  if (data.shape[axis].isStatic())
    if (auto picks = node.knownInts(1)) {
      const int64_t n = data.shape[axis].value;
      for (const SymDim &p : *picks)
        if (p.isStatic() && (p.value < -n || p.value >= n))
          return node.error("index " + llvm::Twine(p.value) + " is out of range for axis " + llvm::Twine(axis) +
                            " of size " + llvm::Twine(n));
    }
  // Picking from a known shape list folds (Shape → Gather).
  if (rank == 1 && indices.shape.size() <= 1 && isa<IntegerType>(data.elementType))
    if (auto known = node.knownInts(0))
      if (auto picks = node.knownInts(1)) {
        SymShape picked;
        int64_t n = static_cast<int64_t>(known->size());
        for (const SymDim &p : *picks) {
          int64_t k = p.isStatic() ? (p.value < 0 ? p.value + n : p.value) : -1;
          picked.push_back(k >= 0 && k < n ? (*known)[k] : SymDim::unknown());
        }
        if (node.setKnownIntsOutput(0, picked, data.elementType, indices.shape.empty())) return llvm::Error::success();
      }
  SymShape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  auto op = onnx::GatherOp::create(node.builder(), node.loc(), node.tensorType(shape, data.elementType), data.value,
                                   indices.value, signedAttr(node.context(), axis));
  node.setOutput(0, op, shape);
  return llvm::Error::success();
}

llvm::Error importGatherElements(NodeContext &node) {
  EDGE_TRY(data, node.input(0));
  EDGE_TRY(indices, node.input(1));
  if (!indices.elementType.isInteger(64) && !indices.elementType.isInteger(32))
    return node.error("indices must be int32 or int64");
  if (indices.shape.size() != data.shape.size()) return node.error("indices must have the rank of data");
  int64_t axis = normalizeAxis(node.attrInt("axis", 0), data.shape.size());
  if (axis < 0 || axis >= static_cast<int64_t>(data.shape.size())) return node.error("axis out of range");
  auto op = onnx::GatherElementsOp::create(node.builder(), node.loc(), node.tensorType(indices.shape, data.elementType),
                                           data.value, indices.value, signedAttr(node.context(), axis));
  node.setOutput(0, op, indices.shape);
  return llvm::Error::success();
}

} // namespace

void addShapeHandlers(HandlerTable &t) {
  t["Shape"] = {{1, importShape, {"start", "end"}}};
  t["Size"] = {{1, importSize}};
  t["Reshape"] = {{1, importReshape, {"allowzero", "shape"}}};
  t["Flatten"] = {{1, importFlatten, {"axis"}}};
  t["Squeeze"] = {{1, importSqueeze, {"axes"}}};
  t["Unsqueeze"] = {{1, importUnsqueeze, {"axes"}}};
  t["Expand"] = {{8, importExpand}};
  t["Concat"] = {{4, importConcat, {"axis"}}};
  t["Split"] = {{2, importSplit, {"axis", "split", "num_outputs"}}};
  t["Slice"] = {{1, importSlice, {"starts", "ends", "axes"}}};
  t["Tile"] = {{6, importTile}};
  t["Range"] = {{11, importRange}};
  t["ConstantOfShape"] = {{9, importConstantOfShape, {"value"}}};
  t["Transpose"] = {{1, importTranspose, {"perm"}}};
  t["Gather"] = {{1, importGather, {"axis"}}};
  t["GatherElements"] = {{11, importGatherElements, {"axis"}}};
}

} // namespace edge
