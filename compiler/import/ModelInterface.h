//===- ModelInterface.h - what a compiled model looks like from outside -*- C++ -*-===//
//
// The importer's description of the graph's inputs, outputs, symbolic dims and weights.
// Codegen turns it into the edge_model_desc_t of runtime/include/edge/model_abi.h and the
// artifacts writers into NAME.h and NAME.weights.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_IMPORT_MODELINTERFACE_H
#define EDGE_COMPILER_IMPORT_MODELINTERFACE_H

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/import/ExternalData.h"

namespace edge {

struct TensorInterface {
  std::string name;
  uint32_t dtype = 0;        ///< edge_dtype_t
  std::vector<int64_t> dims; ///< >= 0 static; < 0: symbol number -dims[i] - 1
};

/// One tensor of NAME.weights, in file order.
struct WeightEntry {
  std::string name;
  uint32_t dtype = 0;
  std::vector<int64_t> dims;
  uint64_t offset = 0; ///< in the data section, 64-byte aligned
  TensorSource source;
  /// Panel packing (edge.weight's pack_n): 0 = stored as in the model; P = the 2-D
  /// source [K, N] ([N, K] when packFromNK) stored as [N/P, K, P]; dims then hold that.
  int64_t packN = 0;
  bool packFromNK = false;
};

/// How a derived symbol is computed from the symbols the inputs bind: constant + sum of
/// coefficient * symbol. Symbols bound by inputs have no terms.
struct SymbolExpr {
  int64_t constant = 0;
  std::vector<std::pair<int, int64_t>> terms;
};

/// A causal LM compiled for the paged KV cache (edge-paged-attention): the entry takes the
/// runtime's attention context before its inputs, tokens are flattened into [1, tokens].
struct CausalLMInterface {
  bool enabled = false;
  int64_t numLayers = 0, numKVHeads = 0, headDim = 0, vocabSize = 0;
  uint32_t inputIds = 0, positionIds = 0, logits = 0; ///< input/output indices
  uint32_t logitsIndices = UINT32_MAX; ///< input choosing the logits rows (edge-select-logits), if any
};

struct ModelInterface {
  std::string name;
  std::string target; ///< "triple cpu", recorded in the descriptor
  std::vector<TensorInterface> inputs, outputs;
  std::vector<std::string> symbols;
  std::vector<SymbolExpr> symbolExprs; ///< one per symbol
  std::vector<WeightEntry> weights;
  uint64_t weightsDataSize = 0;
  uint64_t weightsFingerprint = 0; ///< set by the weights writer
  CausalLMInterface causalLM;
};

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_MODELINTERFACE_H
