//===- CausalLMInterface.cpp - edge.model after the paged-attention rewrite -===//
//
// Once edge-paged-attention (and edge-select-logits) rewrote a causal LM's entry, its
// edge.model interface is rebuilt from the names on the entry: past inputs and present
// outputs gone, position_ids (and logits_indices) added, symbols nothing uses any more
// dropped, and the KV-cache geometry recorded. The names are then removed. A module the
// rewrite did not recognize keeps its interface.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "dialects/onnx/IR/OnnxDialect.h"
#include "edge/model_abi.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace edge {
#define GEN_PASS_DEF_CAUSALLMINTERFACEPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Keeps only the symbols some tensor still uses, renumbered in their old order.
void pruneSymbols(ModelInterface &interface) {
  std::vector<bool> used(interface.symbols.size());
  for (auto *list : {&interface.inputs, &interface.outputs})
    for (const TensorInterface &t : *list)
      for (int64_t d : t.dims)
        if (d < 0) used[-d - 1] = true;
  // Derived symbols need the symbols they are computed from.
  for (size_t s = 0; s < used.size(); ++s)
    if (used[s] && s < interface.symbolExprs.size())
      for (auto [term, coefficient] : interface.symbolExprs[s].terms) used[term] = true;
  std::vector<int> renumber(used.size(), -1);
  std::vector<std::string> symbols;
  std::vector<SymbolExpr> exprs;
  for (size_t s = 0; s < used.size(); ++s)
    if (used[s]) {
      renumber[s] = symbols.size();
      symbols.push_back(interface.symbols[s]);
      exprs.push_back(s < interface.symbolExprs.size() ? interface.symbolExprs[s] : SymbolExpr{});
    }
  for (SymbolExpr &expr : exprs)
    for (auto &term : expr.terms) term.first = renumber[term.first];
  for (auto *list : {&interface.inputs, &interface.outputs})
    for (TensorInterface &t : *list)
      for (int64_t &d : t.dims)
        if (d < 0) d = -renumber[-d - 1] - 1;
  interface.symbols = std::move(symbols);
  interface.symbolExprs = std::move(exprs);
}

std::optional<uint32_t> indexOf(const std::vector<TensorInterface> &list, llvm::StringRef name) {
  for (auto [i, t] : llvm::enumerate(list))
    if (t.name == name) return i;
  return std::nullopt;
}

llvm::StringRef nameOf(DictionaryAttr attrs) {
  auto name = attrs ? attrs.getAs<StringAttr>(kNameAttr) : StringAttr();
  return name ? name.getValue() : llvm::StringRef();
}

/// The positions the model's tables hold: the fewest rows of a table that a Gather reads at
/// the position ids (a learned position embedding, RoPE cos/sin caches), following
/// reshapes and integer casts of the ids. 0 when no table is read at the positions (RoPE
/// computed from them arithmetically has no limit to record).
int64_t positionTableRows(Value positions) {
  int64_t rows = 0;
  SmallVector<Value> pending = {positions};
  llvm::SmallPtrSet<Operation *, 8> seen;
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (!seen.insert(user).second) continue;
      if (auto gather = dyn_cast<onnx::GatherOp>(user)) {
        auto table = cast<RankedTensorType>(gather.getData().getType());
        int64_t axis = gather.getAxis() < 0 ? gather.getAxis() + table.getRank() : gather.getAxis();
        if (use.getOperandNumber() == 1 && axis >= 0 && axis < table.getRank() && !table.isDynamicDim(axis))
          rows = rows ? std::min(rows, table.getDimSize(axis)) : table.getDimSize(axis);
        continue;
      }
      bool sameIds = isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp>(user) ||
                     (isa<onnx::ReshapeOp, onnx::ExpandOp>(user) && use.getOperandNumber() == 0) ||
                     (isa<onnx::CastOp>(user) && getElementTypeOrSelf(user->getResult(0)).isInteger());
      if (sameIds) pending.push_back(user->getResult(0));
    }
  }
  return std::min<int64_t>(rows, UINT32_MAX);
}

/// The interface of the rewritten entry, or an error on `func`.
FailureOr<ModelInterface> rebuild(func::FuncOp func, DictionaryAttr lm, ModelInterface interface) {
  std::vector<TensorInterface> inputs, outputs;
  Value positionArg;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    if (func.getArgAttr(i, kAttentionContextArgAttr)) continue;
    llvm::StringRef name = nameOf(func.getArgAttrDict(i));
    if (name == "position_ids") positionArg = func.getArgument(i);
    if (auto index = indexOf(interface.inputs, name)) {
      inputs.push_back(interface.inputs[*index]);
    } else if (name == "position_ids") { // added by the rewrite: shaped like input_ids
      auto ids = indexOf(interface.inputs, "input_ids");
      if (!ids) return func.emitError("causal LM: position_ids added without an input_ids input"), failure();
      inputs.push_back({"position_ids", interface.inputs[*ids].dtype, interface.inputs[*ids].dims});
    } else if (name == "logits_indices") { // added by edge-select-logits: [rows]
      interface.symbols.push_back("logits_rows");
      interface.symbolExprs.resize(interface.symbols.size());
      inputs.push_back({"logits_indices", EDGE_DTYPE_I64, {-static_cast<int64_t>(interface.symbols.size())}});
    } else {
      return func.emitError() << "causal LM: entry argument " << i << " has no known input", failure();
    }
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto index = indexOf(interface.outputs, nameOf(func.getResultAttrDict(i)));
    if (!index) return func.emitError() << "causal LM: entry result " << i << " has no known output", failure();
    outputs.push_back(interface.outputs[*index]);
  }
  bool selectLogits = lm.get("select_logits") != nullptr;
  if (selectLogits && !outputs.empty() && outputs[0].dims.size() == 3) // [batch, rows, vocab]
    outputs[0].dims[1] = inputs.back().dims[0];
  interface.inputs = std::move(inputs);
  interface.outputs = std::move(outputs);
  pruneSymbols(interface);
  auto ids = indexOf(interface.inputs, "input_ids"), positions = indexOf(interface.inputs, "position_ids");
  auto rows = indexOf(interface.inputs, "logits_indices");
  if (!ids || !positions || interface.inputs.size() != 2u + (rows ? 1 : 0))
    return func.emitError() << "causal LM: expected exactly the inputs input_ids and position_ids after the "
                               "paged-attention rewrite; the model has "
                            << interface.inputs.size() << " inputs",
           failure();
  if (interface.outputs.size() != 1)
    return func.emitError() << "causal LM: expected one output (the logits) after the paged-attention rewrite; "
                               "the model has "
                            << interface.outputs.size(),
           failure();
  const TensorInterface &out = interface.outputs[0];
  if (out.dims.size() != 3 || out.dims[2] <= 0 || out.dtype != EDGE_DTYPE_F32)
    return func.emitError() << "causal LM: output '" << out.name << "' is not f32 [batch, sequence, vocab]",
           failure();
  CausalLMInterface &causal = interface.causalLM;
  causal.enabled = true;
  causal.numLayers = lm.getAs<IntegerAttr>("num_layers").getInt();
  causal.numKVHeads = lm.getAs<IntegerAttr>("num_kv_heads").getInt();
  causal.headDim = lm.getAs<IntegerAttr>("head_dim").getInt();
  causal.inputIds = *ids;
  causal.positionIds = *positions;
  causal.logits = 0;
  causal.logitsIndices = rows ? *rows : UINT32_MAX;
  causal.maxPositions = positionArg ? positionTableRows(positionArg) : 0;
  causal.vocabSize = out.dims[2];
  return interface;
}

struct CausalLMInterfacePass : impl::CausalLMInterfacePassBase<CausalLMInterfacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func) return;
    if (auto lm = func->getAttrOfType<DictionaryAttr>(kCausalLMAttr)) {
      FailureOr<ModelInterface> interface = getModelInterface(module);
      if (failed(interface)) return signalPassFailure();
      FailureOr<ModelInterface> rebuilt = rebuild(func, lm, std::move(*interface));
      if (failed(rebuilt)) return signalPassFailure();
      setModelInterface(module, *rebuilt);
    }
    Builder builder(module.getContext());
    for (unsigned i = 0; i < func.getNumArguments(); ++i) func.removeArgAttr(i, kNameAttr);
    for (unsigned i = 0; i < func.getNumResults(); ++i) func.removeResultAttr(i, builder.getStringAttr(kNameAttr));
  }
};

} // namespace
} // namespace edge
