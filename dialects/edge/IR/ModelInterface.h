//===- ModelInterface.h - the compiled model's signature, carried by the IR -*- C++ -*-===//
//
// What a compiled model looks like from outside: its named inputs and outputs with their
// element types and symbolic dims, how derived symbols are computed, and, for a causal
// LM, the KV-cache geometry. The importer records it on the module as the `edge.model`
// attribute; edge-causal-lm-interface records the signature the paged-attention rewrite
// leaves (compiler/transforms/CausalLMInterface.cpp); codegen derives the runtime descriptor
// (edge/model_abi.h) and NAME.h from it. This header is the typed view of that
// attribute, and EdgeDialect verifies it.
//
//   edge.model = {inputs = [{name = "x", dtype = "f32", dims = array<i64: -1, 64>}],
//                 outputs = [...], symbols = ["batch"], symbol_exprs = [array<i64>],
//                 causal_lm = {num_layers = 2 : i64, ...}}
//
// dims[i] >= 0 is static; dims[i] < 0 names symbol -dims[i] - 1. A symbol expression is
// [constant, symbol, coefficient, symbol, coefficient, ...] (empty: bound by an input).
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_DIALECTS_EDGE_IR_MODELINTERFACE_H
#define EDGE_DIALECTS_EDGE_IR_MODELINTERFACE_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringRef.h"

namespace edge {

inline constexpr llvm::StringLiteral kModelInterfaceAttr = "edge.model";

struct TensorInterface {
  std::string name;
  uint32_t dtype = 0;        ///< edge_dtype_t
  std::vector<int64_t> dims; ///< >= 0 static; < 0: symbol number -dims[i] - 1
};

/// How a derived symbol is computed from the symbols the inputs bind: constant + sum of
/// coefficient * symbol. Symbols bound by inputs have no terms; `fixed` ones must be bound
/// to `constant` (a graph that reshapes [n, 5] into [5, 7] works only for n = 7).
struct SymbolExpr {
  int64_t constant = 0;
  std::vector<std::pair<int, int64_t>> terms;
  bool fixed = false;
};

/// A causal LM compiled for the paged KV cache (edge-paged-attention): the entry takes the
/// runtime's attention context before its inputs, tokens are flattened into [1, tokens].
struct CausalLMInterface {
  bool enabled = false;
  int64_t numLayers = 0, numKVHeads = 0, headDim = 0, vocabSize = 0;
  uint32_t inputIds = 0, positionIds = 0, logits = 0; ///< input/output indices
  uint32_t logitsIndices = UINT32_MAX; ///< input choosing the logits rows (edge-select-logits), if any
  int64_t maxPositions = 0; ///< rows of the tables read at the positions; 0: no such table
};

struct ModelInterface {
  std::vector<TensorInterface> inputs, outputs;
  std::vector<std::string> symbols;
  std::vector<SymbolExpr> symbolExprs; ///< one per symbol
  CausalLMInterface causalLM;
};

/// The attribute for `interface`.
mlir::DictionaryAttr encodeModelInterface(mlir::MLIRContext *context, const ModelInterface &interface);
/// The interface an `edge.model` attribute describes; reports what is malformed (a dim
/// naming no symbol, an unknown dtype, an index out of range) through `emitError`.
mlir::FailureOr<ModelInterface> decodeModelInterface(mlir::DictionaryAttr attr,
                                                     llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// Records `interface` on `module` (replacing what was there).
void setModelInterface(mlir::ModuleOp module, const ModelInterface &interface);
/// The module's interface; an error on the module when it has none or it is malformed.
mlir::FailureOr<ModelInterface> getModelInterface(mlir::ModuleOp module);

/// The name of an edge_dtype_t (edge_dtype_name of edge/model_abi.h); "unknown" otherwise.
llvm::StringRef dtypeName(uint32_t dtype);
/// The edge_dtype_t of a name dtypeName returns; 0 when there is none.
uint32_t dtypeFromName(llvm::StringRef name);

} // namespace edge

#endif // EDGE_DIALECTS_EDGE_IR_MODELINTERFACE_H
