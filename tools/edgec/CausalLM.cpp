//===- CausalLM.cpp - compile a causal LM for the paged KV cache -----------===//
#include "tools/edgec/CausalLM.h"

#include "compiler/pipelines/Pipelines.h"
#include "dialects/edge/IR/EdgeAttributes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

namespace edge {

namespace {

/// Keeps only the symbols some tensor still uses, renumbered in their old order.
void pruneSymbols(ImportedInterface &interface) {
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

} // namespace

llvm::Error compileForPagedKV(mlir::ModuleOp module, ImportedInterface &interface,
                              llvm::function_ref<llvm::Error()> diagnose) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!func) return llvm::createStringError("the imported module has no entry");
  mlir::Builder builder(module.getContext());
  for (auto [i, input] : llvm::enumerate(interface.inputs))
    func.setArgAttr(i, kNameAttr, builder.getStringAttr(input.name));
  for (auto [i, output] : llvm::enumerate(interface.outputs))
    func.setResultAttr(i, kNameAttr, builder.getStringAttr(output.name));

  mlir::PassManager pm(module.getContext());
  buildCausalLMPipeline(pm);
  if (mlir::failed(pm.run(module))) return diagnose();

  auto nameOf = [](mlir::DictionaryAttr attrs) {
    auto name = attrs ? attrs.getAs<mlir::StringAttr>(kNameAttr) : mlir::StringAttr();
    return name ? name.getValue() : llvm::StringRef();
  };
  if (auto lm = func->getAttrOfType<mlir::DictionaryAttr>(kCausalLMAttr)) {
    std::vector<TensorInterface> inputs, outputs;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      if (func.getArgAttr(i, kAttentionContextArgAttr)) continue;
      llvm::StringRef name = nameOf(func.getArgAttrDict(i));
      if (auto index = indexOf(interface.inputs, name)) {
        inputs.push_back(interface.inputs[*index]);
      } else if (name == "position_ids") { // added by the rewrite: shaped like input_ids
        auto ids = indexOf(interface.inputs, "input_ids");
        inputs.push_back({"position_ids", interface.inputs[*ids].dtype, interface.inputs[*ids].dims});
      } else if (name == "logits_indices") { // added by edge-select-logits: [rows]
        interface.symbols.push_back("logits_rows");
        interface.symbolExprs.resize(interface.symbols.size());
        inputs.push_back({"logits_indices", 3 /*EDGE_DTYPE_I64*/, {-static_cast<int64_t>(interface.symbols.size())}});
      } else {
        return llvm::createStringError("causal LM: entry argument " + std::to_string(i) + " has no known input");
      }
    }
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      auto index = indexOf(interface.outputs, nameOf(func.getResultAttrDict(i)));
      if (!index) return llvm::createStringError("causal LM: entry result " + std::to_string(i) + " has no known output");
      outputs.push_back(interface.outputs[*index]);
    }
    bool selectLogits = lm.get("select_logits") != nullptr;
    if (selectLogits && !outputs.empty() && outputs[0].dims.size() == 3) // [batch, rows, vocab]
      outputs[0].dims[1] = inputs.back().dims[0];
    interface.inputs = std::move(inputs);
    interface.outputs = std::move(outputs);
    pruneSymbols(interface);

    CausalLMInterface &causal = interface.causalLM;
    causal.enabled = true;
    causal.numLayers = lm.getAs<mlir::IntegerAttr>("num_layers").getInt();
    causal.numKVHeads = lm.getAs<mlir::IntegerAttr>("num_kv_heads").getInt();
    causal.headDim = lm.getAs<mlir::IntegerAttr>("head_dim").getInt();
    auto ids = indexOf(interface.inputs, "input_ids"), positions = indexOf(interface.inputs, "position_ids");
    auto rows = indexOf(interface.inputs, "logits_indices");
    if (!ids || !positions || interface.inputs.size() != 2u + (rows ? 1 : 0))
      return llvm::createStringError("causal LM: expected exactly the inputs input_ids and position_ids after the "
                                     "paged-attention rewrite; the model has " +
                                     std::to_string(interface.inputs.size()) + " inputs");
    causal.logitsIndices = rows ? *rows : UINT32_MAX;
    if (interface.outputs.size() != 1)
      return llvm::createStringError("causal LM: expected one output (the logits) after the paged-attention rewrite; "
                                     "the model has " + std::to_string(interface.outputs.size()));
    std::optional<uint32_t> logits = 0;
    const TensorInterface &out = interface.outputs[*logits];
    if (out.dims.size() != 3 || out.dims[2] <= 0 || out.dtype != 1 /*EDGE_DTYPE_F32*/)
      return llvm::createStringError("causal LM: output '" + out.name + "' is not f32 [batch, sequence, vocab]");
    causal.inputIds = *ids;
    causal.positionIds = *positions;
    causal.logits = *logits;
    causal.vocabSize = out.dims[2];
  }
  setModelInterface(module, interface); // the IR's record of the new signature
  for (unsigned i = 0; i < func.getNumArguments(); ++i) func.removeArgAttr(i, kNameAttr);
  for (unsigned i = 0; i < func.getNumResults(); ++i) func.removeResultAttr(i, builder.getStringAttr(kNameAttr));
  return llvm::Error::success();
}

} // namespace edge
