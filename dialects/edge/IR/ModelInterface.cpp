//===- ModelInterface.cpp - the edge.model attribute ----------------------===//
#include "dialects/edge/IR/ModelInterface.h"

#include "edge/model_abi.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace edge {

namespace {


DictionaryAttr encodeTensor(Builder &b, const TensorInterface &tensor) {
  return b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(tensor.name)),
                              b.getNamedAttr("dtype", b.getStringAttr(dtypeName(tensor.dtype))),
                              b.getNamedAttr("dims", b.getDenseI64ArrayAttr(tensor.dims))});
}

FailureOr<std::vector<TensorInterface>> decodeTensors(DictionaryAttr attr, StringRef key, size_t numSymbols,
                                                      function_ref<InFlightDiagnostic()> emitError) {
  auto list = attr.getAs<ArrayAttr>(key);
  if (!list) return emitError() << "edge.model: '" << key << "' must be an array", failure();
  std::vector<TensorInterface> tensors;
  for (Attribute element : list) {
    auto dict = dyn_cast<DictionaryAttr>(element);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto dtype = dict ? dict.getAs<StringAttr>("dtype") : StringAttr();
    auto dims = dict ? dict.getAs<DenseI64ArrayAttr>("dims") : DenseI64ArrayAttr();
    if (!name || !dtype || !dims)
      return emitError() << "edge.model: each of '" << key << "' needs a name, a dtype and dims", failure();
    TensorInterface tensor{name.str(), dtypeFromName(dtype.getValue()), std::vector<int64_t>(dims.asArrayRef())};
    if (!tensor.dtype)
      return emitError() << "edge.model: '" << tensor.name << "' has unknown dtype '" << dtype.getValue() << "'",
             failure();
    for (int64_t d : tensor.dims)
      if (d < 0 && static_cast<size_t>(-d - 1) >= numSymbols)
        return emitError() << "edge.model: a dim of '" << tensor.name << "' names symbol " << (-d - 1) << " of "
                           << numSymbols,
               failure();
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

} // namespace

StringRef dtypeName(uint32_t dtype) { return edge_dtype_name(dtype); }

uint32_t dtypeFromName(StringRef name) {
  for (uint32_t code = EDGE_DTYPE_F32; code <= EDGE_DTYPE_Q4_1_X4; ++code)
    if (name == edge_dtype_name(code)) return code;
  return 0;
}

DictionaryAttr encodeModelInterface(MLIRContext *context, const ModelInterface &interface) {
  Builder b(context);
  SmallVector<Attribute> inputs, outputs, symbols, exprs;
  for (const TensorInterface &t : interface.inputs) inputs.push_back(encodeTensor(b, t));
  for (const TensorInterface &t : interface.outputs) outputs.push_back(encodeTensor(b, t));
  for (const std::string &s : interface.symbols) symbols.push_back(b.getStringAttr(s));
  for (size_t s = 0; s < interface.symbols.size(); ++s) {
    SmallVector<int64_t> words;
    if (s < interface.symbolExprs.size() && interface.symbolExprs[s].fixed) {
      words.push_back(interface.symbolExprs[s].constant); // [value]: an input dim that must be value
    } else if (s < interface.symbolExprs.size() && !interface.symbolExprs[s].terms.empty()) {
      words.push_back(interface.symbolExprs[s].constant);
      for (auto [symbol, coefficient] : interface.symbolExprs[s].terms) words.append({symbol, coefficient});
    }
    exprs.push_back(b.getDenseI64ArrayAttr(words));
  }
  SmallVector<NamedAttribute> fields = {b.getNamedAttr("inputs", b.getArrayAttr(inputs)),
                                        b.getNamedAttr("outputs", b.getArrayAttr(outputs)),
                                        b.getNamedAttr("symbols", b.getArrayAttr(symbols)),
                                        b.getNamedAttr("symbol_exprs", b.getArrayAttr(exprs))};
  if (const CausalLMInterface &lm = interface.causalLM; lm.enabled) {
    SmallVector<NamedAttribute> geometry = {
        b.getNamedAttr("num_layers", b.getI64IntegerAttr(lm.numLayers)),
        b.getNamedAttr("num_kv_heads", b.getI64IntegerAttr(lm.numKVHeads)),
        b.getNamedAttr("head_dim", b.getI64IntegerAttr(lm.headDim)),
        b.getNamedAttr("vocab_size", b.getI64IntegerAttr(lm.vocabSize)),
        b.getNamedAttr("input_ids", b.getI64IntegerAttr(lm.inputIds)),
        b.getNamedAttr("position_ids", b.getI64IntegerAttr(lm.positionIds)),
        b.getNamedAttr("logits", b.getI64IntegerAttr(lm.logits))};
    if (lm.logitsIndices != UINT32_MAX)
      geometry.push_back(b.getNamedAttr("logits_indices", b.getI64IntegerAttr(lm.logitsIndices)));
    if (lm.maxPositions) geometry.push_back(b.getNamedAttr("max_positions", b.getI64IntegerAttr(lm.maxPositions)));
    fields.push_back(b.getNamedAttr("causal_lm", b.getDictionaryAttr(geometry)));
  }
  return b.getDictionaryAttr(fields);
}

FailureOr<ModelInterface> decodeModelInterface(DictionaryAttr attr, function_ref<InFlightDiagnostic()> emitError) {
  ModelInterface interface;
  auto symbols = attr.getAs<ArrayAttr>("symbols");
  auto exprs = attr.getAs<ArrayAttr>("symbol_exprs");
  if (!symbols || !exprs || exprs.size() != symbols.size())
    return emitError() << "edge.model: needs 'symbols' and one 'symbol_exprs' entry per symbol", failure();
  for (Attribute symbol : symbols) {
    auto name = dyn_cast<StringAttr>(symbol);
    if (!name) return emitError() << "edge.model: symbols must be strings", failure();
    interface.symbols.push_back(name.str());
  }
  const size_t numSymbols = interface.symbols.size();
  for (Attribute expr : exprs) {
    auto words = dyn_cast<DenseI64ArrayAttr>(expr);
    if (!words || (words.size() != 0 && words.size() % 2 != 1))
      return emitError() << "edge.model: a symbol expression is [constant, symbol, coefficient, ...]", failure();
    SymbolExpr decoded;
    if (words.size()) decoded.constant = words[0];
    decoded.fixed = words.size() == 1;
    for (int64_t i = 1; i + 1 < words.size(); i += 2) {
      if (words[i] < 0 || static_cast<size_t>(words[i]) >= numSymbols)
        return emitError() << "edge.model: a symbol expression names symbol " << words[i] << " of " << numSymbols,
               failure();
      decoded.terms.emplace_back(static_cast<int>(words[i]), words[i + 1]);
    }
    interface.symbolExprs.push_back(std::move(decoded));
  }
  auto inputs = decodeTensors(attr, "inputs", numSymbols, emitError);
  if (failed(inputs)) return failure();
  auto outputs = decodeTensors(attr, "outputs", numSymbols, emitError);
  if (failed(outputs)) return failure();
  interface.inputs = std::move(*inputs);
  interface.outputs = std::move(*outputs);
  if (auto lm = attr.getAs<DictionaryAttr>("causal_lm")) {
    CausalLMInterface &causal = interface.causalLM;
    causal.enabled = true;
    auto field = [&](StringRef name, int64_t &value) {
      auto number = lm.getAs<IntegerAttr>(name);
      if (number) value = number.getInt();
      return static_cast<bool>(number);
    };
    int64_t ids = 0, positions = 0, logits = 0, rows = -1;
    if (!field("num_layers", causal.numLayers) || !field("num_kv_heads", causal.numKVHeads) ||
        !field("head_dim", causal.headDim) || !field("vocab_size", causal.vocabSize) || !field("input_ids", ids) ||
        !field("position_ids", positions) || !field("logits", logits))
      return emitError() << "edge.model: causal_lm needs num_layers, num_kv_heads, head_dim, vocab_size, "
                            "input_ids, position_ids and logits",
             failure();
    field("logits_indices", rows);
    field("max_positions", causal.maxPositions);
    if (causal.maxPositions < 0 || causal.maxPositions > UINT32_MAX)
      return emitError() << "edge.model: causal_lm max_positions " << causal.maxPositions << " is out of range",
             failure();
    auto isInput = [&](int64_t i) { return i >= 0 && static_cast<size_t>(i) < interface.inputs.size(); };
    if (!isInput(ids) || !isInput(positions) || (rows != -1 && !isInput(rows)) || logits < 0 ||
        static_cast<size_t>(logits) >= interface.outputs.size())
      return emitError() << "edge.model: causal_lm names an input or output the model does not have", failure();
    causal.inputIds = static_cast<uint32_t>(ids);
    causal.positionIds = static_cast<uint32_t>(positions);
    causal.logits = static_cast<uint32_t>(logits);
    causal.logitsIndices = rows == -1 ? UINT32_MAX : static_cast<uint32_t>(rows);
  }
  return interface;
}

void setModelInterface(ModuleOp module, const ModelInterface &interface) {
  module->setAttr(kModelInterfaceAttr, encodeModelInterface(module.getContext(), interface));
}

FailureOr<ModelInterface> getModelInterface(ModuleOp module) {
  auto attr = module->getAttrOfType<DictionaryAttr>(kModelInterfaceAttr);
  if (!attr) return module.emitError("the module has no edge.model interface"), failure();
  return decodeModelInterface(attr, [&] { return module.emitError(); });
}

} // namespace edge
