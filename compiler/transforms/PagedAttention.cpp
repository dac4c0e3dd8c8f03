//===- PagedAttention.cpp - the edge-paged-attention pass -----------------===//
//
// Finds the attentions of a causal LM that read past_key_values through Concat and
// replaces each with edge.paged_attention over the runtime's KV pages. Matching is
// conservative: every op between the concatenated cache and the two MatMuls must be one
// whose meaning the rewrite keeps (a transpose of the last two dims, repeat_kv, scalar
// scaling, a mask computed from shapes only); anything else leaves the attention alone,
// and the pass then fails naming the past input that is still read.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialects/onnx/IR/OnnxDialect.h"

#include "mlir/IR/Matchers.h"

namespace edge {
#define GEN_PASS_DEF_PAGEDATTENTIONPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// The scalar a splat float constant holds.
std::optional<double> scalarConstant(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat()) return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// The past input and new entries behind a K or V operand of an attention MatMul.
struct CacheOperand {
  onnx::ConcatOp concat;
  BlockArgument past;
  Value fresh;
};

/// Peels repeat_kv off `value`: Reshape [b, g, t, d] -> [b, g, 1, t, d], Expand to
/// [b, g, r, t, d], Reshape to [b, g * r, t, d]. Head h then reads KV head h / r, which
/// is what edge.paged_attention does for heads / kv_heads = r.
Value peelRepeatKV(Value value) {
  auto merge = value.getDefiningOp<onnx::ReshapeOp>();
  if (!merge) return value;
  auto expand = merge.getData().getDefiningOp<onnx::ExpandOp>();
  if (!expand) return value;
  auto split = expand.getData().getDefiningOp<onnx::ReshapeOp>();
  if (!split) return value;
  auto source = cast<RankedTensorType>(split.getData().getType());
  auto splitType = cast<RankedTensorType>(split.getType()), expandType = cast<RankedTensorType>(expand.getType());
  auto mergedType = cast<RankedTensorType>(merge.getType());
  if (source.getRank() != 4 || splitType.getRank() != 5 || expandType.getRank() != 5 || mergedType.getRank() != 4)
    return value;
  int64_t groups = source.getDimSize(1), dim = source.getDimSize(3), repeat = expandType.getDimSize(2);
  if (ShapedType::isDynamic(groups) || ShapedType::isDynamic(dim) || ShapedType::isDynamic(repeat)) return value;
  bool shapes = splitType.getDimSize(1) == groups && splitType.getDimSize(2) == 1 && splitType.getDimSize(4) == dim &&
                expandType.getDimSize(1) == groups && expandType.getDimSize(4) == dim &&
                mergedType.getDimSize(1) == groups * repeat && mergedType.getDimSize(3) == dim;
  return shapes ? split.getData() : value;
}

/// `value` as Concat(past input, new entries) along the sequence axis of [b, h, t, d],
/// seen through repeat_kv and, for keys, the transpose of the last two dims.
std::optional<CacheOperand> traceCache(Value value, bool transposed) {
  if (transposed) {
    auto transpose = value.getDefiningOp<onnx::TransposeOp>();
    if (!transpose || transpose.getPerm() != ArrayRef<int64_t>{0, 1, 3, 2}) return std::nullopt;
    value = transpose.getData();
  }
  auto concat = peelRepeatKV(value).getDefiningOp<onnx::ConcatOp>();
  if (!concat || concat.getInputs().size() != 2) return std::nullopt;
  auto type = cast<RankedTensorType>(concat.getType());
  if (type.getRank() != 4 || (concat.getAxis() != 2 && concat.getAxis() != -2)) return std::nullopt;
  auto past = dyn_cast<BlockArgument>(concat.getInputs()[0]);
  if (!past) return std::nullopt;
  return CacheOperand{concat, past, concat.getInputs()[1]};
}

/// True when `value` is computed without reading any function argument's data (shapes
/// via tensor.dim are fine): a mask built from the sequence lengths, i.e. the causal mask.
bool dependsOnShapesOnly(Value value) {
  SmallVector<Value> work{value};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value current = work.pop_back_val();
    if (!seen.insert(current).second) continue;
    if (isa<BlockArgument>(current)) return false;
    Operation *op = current.getDefiningOp();
    if (isa<tensor::DimOp>(op)) continue;
    if (op->getNumRegions()) return false;
    llvm::append_range(work, op->getOperands());
  }
  return true;
}

struct AttentionMatch {
  Value query;
  CacheOperand key, value;
  double scale = 1.0;
  onnx::MatMulOp output;
};

/// Matches the attention whose Softmax is `softmax`.
std::optional<AttentionMatch> matchAttention(onnx::SoftmaxOp softmax) {
  auto type = cast<RankedTensorType>(softmax.getType());
  if (type.getRank() != 4 || (softmax.getAxis() != 3 && softmax.getAxis() != -1) || !softmax->hasOneUse())
    return std::nullopt;
  AttentionMatch match;
  match.output = dyn_cast<onnx::MatMulOp>(*softmax->user_begin());
  if (!match.output || match.output.getLhs() != softmax.getResult()) return std::nullopt;

  Value scores = softmax.getInput();
  while (auto add = scores.getDefiningOp<onnx::AddOp>()) { // + masks (causal, padding)
    for (auto [data, mask] : {std::pair(add.getLhs(), add.getRhs()), std::pair(add.getRhs(), add.getLhs())})
      if (data.getType() == add.getType() && dependsOnShapesOnly(mask)) {
        scores = data;
        break;
      }
    if (scores == add.getResult()) return std::nullopt;
  }
  while (true) { // scalar scaling
    if (auto div = scores.getDefiningOp<onnx::DivOp>()) {
      std::optional<double> c = scalarConstant(div.getRhs());
      if (!c || *c == 0) return std::nullopt;
      match.scale /= *c;
      scores = div.getLhs();
    } else if (auto mul = scores.getDefiningOp<onnx::MulOp>()) {
      std::optional<double> c = scalarConstant(mul.getRhs());
      Value data = mul.getLhs();
      if (!c) {
        c = scalarConstant(mul.getLhs());
        data = mul.getRhs();
      }
      if (!c) return std::nullopt;
      match.scale *= *c;
      scores = data;
    } else {
      break;
    }
  }
  auto product = scores.getDefiningOp<onnx::MatMulOp>();
  if (!product) return std::nullopt;
  auto key = traceCache(product.getRhs(), /*transposed=*/true);
  auto value = traceCache(match.output.getRhs(), /*transposed=*/false);
  if (!key || !value) return std::nullopt;
  match.query = product.getLhs();
  match.key = *key;
  match.value = *value;
  auto query = cast<RankedTensorType>(match.query.getType());
  auto fresh = cast<RankedTensorType>(key->fresh.getType());
  if (query.getRank() != 4 || query.getDimSize(3) != fresh.getDimSize(3) || fresh != value->fresh.getType() ||
      ShapedType::isDynamic(query.getDimSize(1)) || ShapedType::isDynamic(fresh.getDimSize(1)) ||
      query.getDimSize(1) % fresh.getDimSize(1) != 0 || !query.getElementType().isF32())
    return std::nullopt;
  return match;
}

int findNamed(func::FuncOp func, StringRef name) {
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, kNameAttr); attr && attr.getValue() == name) return i;
  return -1;
}

/// `start` is the past length: from_elements(index_cast(tensor.dim %past, 2)).
bool isPastLength(Value start, const DenseSet<Value> &pasts) {
  auto elements = start.getDefiningOp<tensor::FromElementsOp>();
  if (!elements || elements.getElements().size() != 1) return false;
  auto cast = elements.getElements()[0].getDefiningOp<arith::IndexCastOp>();
  auto dim = cast ? cast.getIn().getDefiningOp<tensor::DimOp>() : tensor::DimOp();
  std::optional<int64_t> axis = dim ? dim.getConstantIndex() : std::nullopt;
  return dim && pasts.contains(dim.getSource()) && axis == 2;
}

struct PagedAttentionPass : impl::PagedAttentionPassBase<PagedAttentionPass> {
  void runOnOperation() override {
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (!func.isExternal() && func.isPublic() && failed(rewrite(func))) return signalPassFailure();
  }

  /// An attention_mask input (1 = attend, 0 = padding; Hugging Face exports take one)
  /// is all ones in a paged step: sequences are never padded. Its uses read a ones tensor
  /// of its shape instead, which makes the mask computed from shapes only.
  /// Returns the ones tensor (null when there is no such input).
  Value assumeNoPadding(func::FuncOp func) {
    int mask = findNamed(func, "attention_mask"), ids = findNamed(func, "input_ids");
    if (mask < 0 || ids < 0) return {};
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    Value past;
    for (Value returned : ret.getOperands())
      if (auto concat = returned.getDefiningOp<onnx::ConcatOp>(); concat && !past)
        if (isa<BlockArgument>(concat.getInputs()[0])) past = concat.getInputs()[0];
    auto type = dyn_cast<RankedTensorType>(func.getArgument(mask).getType());
    if (!past || !type || type.getRank() != 2 || !type.getElementType().isIntOrFloat()) return {};
    OpBuilder builder = OpBuilder::atBlockBegin(&func.getBody().front());
    Location loc = func.getLoc();
    Value idsArg = func.getArgument(ids);
    auto dim = [&](Value tensor, int64_t axis) {
      Value d = tensor::DimOp::create(builder, loc, tensor, axis);
      return arith::IndexCastOp::create(builder, loc, builder.getI64Type(), d).getResult();
    };
    Value total = arith::AddIOp::create(builder, loc, dim(past, 2), dim(idsArg, 1));
    Value shape = tensor::FromElementsOp::create(builder, loc, ValueRange{dim(idsArg, 0), total});
    Type element = type.getElementType();
    TypedAttr one = isa<FloatType>(element) ? TypedAttr(builder.getFloatAttr(element, 1.0))
                                            : TypedAttr(builder.getIntegerAttr(element, 1));
    Value ones = onnx::ConstantOfShapeOp::create(builder, loc, type, shape, one);
    func.getArgument(mask).replaceAllUsesWith(ones);
    return ones;
  }

  LogicalResult rewrite(func::FuncOp func) {
    Value noPadding = assumeNoPadding(func);
    SmallVector<AttentionMatch> matches;
    func.walk([&](onnx::SoftmaxOp softmax) {
      if (auto match = matchAttention(softmax)) matches.push_back(*match);
    });
    if (matches.empty()) { // not a causal LM after all: attention_mask gets its uses back
      if (noPadding) noPadding.replaceAllUsesWith(func.getArgument(findNamed(func, "attention_mask")));
      return success();
    }
    int ids = findNamed(func, "input_ids");
    if (ids < 0) { // attention over a cache, but not a token-driven LM: stays a graph
      if (noPadding) noPadding.replaceAllUsesWith(func.getArgument(findNamed(func, "attention_mask")));
      return success();
    }

    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    Type contextType = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
    if (failed(func.insertArgument(0, contextType,
                                   builder.getDictionaryAttr(builder.getNamedAttr(kAttentionContextArgAttr,
                                                                                  builder.getUnitAttr())),
                                   func.getLoc())))
      return failure();
    Value attentionContext = func.getArgument(0);
    ++ids;

    DenseSet<Value> pasts;
    DenseSet<Operation *> concats;
    int64_t kvHeads = 0, headDim = 0;
    for (auto [layer, match] : llvm::enumerate(matches)) {
      builder.setInsertionPoint(match.output);
      Location loc = match.output.getLoc();
      auto queryType = cast<RankedTensorType>(match.query.getType());
      SmallVector<Value> dynamicDims;
      for (int64_t d = 0; d < queryType.getRank(); ++d)
        if (queryType.isDynamicDim(d)) dynamicDims.push_back(tensor::DimOp::create(builder, loc, match.query, d));
      Value init = tensor::EmptyOp::create(builder, loc, queryType, dynamicDims);
      auto attention = PagedAttentionOp::create(
          builder, loc, TypeRange{queryType}, attentionContext, match.query, match.key.fresh, match.value.fresh, init,
          builder.getI64IntegerAttr(layer), builder.getF32FloatAttr(static_cast<float>(match.scale)));
      Value result = attention.getResult()[0];
      if (result.getType() != match.output.getType())
        result = tensor::CastOp::create(builder, loc, match.output.getType(), result);
      match.output.getResult().replaceAllUsesWith(result);
      for (const CacheOperand *cache : {&match.key, &match.value}) {
        pasts.insert(cache->past);
        concats.insert(cache->concat);
      }
      auto fresh = cast<RankedTensorType>(match.key.fresh.getType());
      if (layer > 0 && (fresh.getDimSize(1) != kvHeads || fresh.getDimSize(3) != headDim))
        return match.output.emitError("causal LM: layers differ in KV heads or head_dim");
      kvHeads = fresh.getDimSize(1);
      headDim = fresh.getDimSize(3);
    }

    // The present outputs go: the cache lives in the runtime's pages. Every past input
    // behind one (matched or not) must be unused afterwards.
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (Value returned : ret.getOperands())
      if (auto concat = returned.getDefiningOp<onnx::ConcatOp>())
        if (auto past = dyn_cast<BlockArgument>(concat.getInputs()[0]); past && concat.getInputs().size() == 2) {
          pasts.insert(past);
          concats.insert(concat);
        }
    llvm::BitVector dropResults(ret.getNumOperands());
    for (OpOperand &operand : ret->getOpOperands())
      if (Operation *def = operand.get().getDefiningOp(); def && concats.contains(def))
        dropResults.set(operand.getOperandNumber());
    for (int i = dropResults.size() - 1; i >= 0; --i)
      if (dropResults.test(i)) ret->eraseOperand(i);
    if (failed(func.eraseResults(dropResults))) return failure();

    // Positions computed from the past length become the position_ids input.
    int positions = findNamed(func, "position_ids");
    SmallVector<onnx::RangeOp> ranges;
    func.walk([&](onnx::RangeOp range) {
      if (isPastLength(range.getStart(), pasts)) ranges.push_back(range);
    });
    for (onnx::RangeOp range : ranges) {
      DenseIntElementsAttr deltaAttr;
      if (!matchPattern(range.getDelta(), m_Constant(&deltaAttr)) || !deltaAttr.isSplat() ||
          deltaAttr.getSplatValue<APInt>().getSExtValue() != 1)
        return range.emitError("causal LM: positions from the past length must step by 1");
      if (positions < 0) {
        Type idsType = func.getArgument(ids).getType();
        if (failed(func.insertArgument(ids + 1, idsType,
                                       builder.getDictionaryAttr(builder.getNamedAttr(
                                           kNameAttr, builder.getStringAttr("position_ids"))),
                                       func.getLoc())))
          return failure();
        positions = ids + 1;
      }
      // [1, tokens] -> [tokens]: the step's batch is always one row of tokens.
      builder.setInsertionPoint(range);
      Value flat = tensor::CollapseShapeOp::create(builder, range.getLoc(), func.getArgument(positions),
                                                   SmallVector<ReassociationIndices>{{0, 1}});
      if (flat.getType() != range.getType())
        flat = tensor::CastOp::create(builder, range.getLoc(), range.getType(), flat);
      range.getResult().replaceAllUsesWith(flat);
    }

    // Whatever only fed the old attention (masks, concatenations, repeat_kv) goes.
    bool erased = true;
    while (erased) {
      erased = false;
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
        if (isOpTriviallyDead(&op)) {
          op.erase();
          erased = true;
        }
    }
    llvm::BitVector dropArgs(func.getNumArguments());
    SmallVector<BlockArgument> pastArgs;
    for (Value past : pasts) pastArgs.push_back(cast<BlockArgument>(past));
    llvm::sort(pastArgs, [](BlockArgument a, BlockArgument b) { return a.getArgNumber() < b.getArgNumber(); });
    for (BlockArgument arg : pastArgs) {
      if (!arg.use_empty()) {
        auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
        return (*arg.user_begin())->emitError()
               << "causal LM: past input '" << (name ? name.getValue() : StringRef("?"))
               << "' is still read by an op the paged-attention rewrite does not cover";
      }
      dropArgs.set(arg.getArgNumber());
    }
    int mask = findNamed(func, "attention_mask");
    if (mask >= 0 && func.getArgument(mask).use_empty()) dropArgs.set(mask);
    if (failed(func.eraseArguments(dropArgs))) return failure();
    func->setAttr(kCausalLMAttr,
                  builder.getDictionaryAttr({builder.getNamedAttr("num_layers", builder.getI64IntegerAttr(matches.size())),
                                             builder.getNamedAttr("num_kv_heads", builder.getI64IntegerAttr(kvHeads)),
                                             builder.getNamedAttr("head_dim", builder.getI64IntegerAttr(headDim))}));
    return success();
  }
};

} // namespace
} // namespace edge
