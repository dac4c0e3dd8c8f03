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
#include <optional>
#include <string>
#include <vector>

#include "compiler/import/ExternalData.h"
#include "edge/weights_format.h"

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
  /// Block quantization (edge.weight's quant): 0 = none, else the EDGE_DTYPE_Q* stored.
  /// The 2-D f32 source ([K, N] when quantFromKN, else [N, K]) is stored as N rows of K
  /// values in blocks of quantBlock; dtype and dims ([N, K / block, block]) then say so.
  uint32_t quantDtype = 0;
  int64_t quantBlock = 0;
  bool quantFromKN = false;
  /// Measured by the packer while quantizing: ||deq(q(w)) - w|| / ||w|| and max |deq(q(w)) - w|.
  double quantRelRmse = 0, quantMaxAbsError = 0;
  /// Pre-quantized (com.microsoft MatMulNBits, 4 bits): `source` is B [N, K / block,
  /// block / 2] (element 2i in the low nibble of byte i), these its f32 scales
  /// [N * K / block] and optional packed 4-bit zero points (default 8); the packer re-lays
  /// them out as quantDtype blocks of quantBlock (q4_0 without zero points, q4_1 with),
  /// exactly but for the scales' rounding to f16.
  std::optional<TensorSource> nbitsScales, nbitsZeroPoints;
  /// Pre-quantized (DequantizeLinear with block_size along axis 0 of a [K, N] initializer):
  /// `source` is x (ONNX type dqElementType: int8, int4 or uint4, row-major, 4-bit values
  /// two a byte, the first in the low nibble), these its f32 scales [K / block, N] and
  /// optional zero points (x's type, same shape); converted exactly as for MatMulNBits.
  std::optional<TensorSource> dqScales, dqZeroPoints;
  int32_t dqElementType = 0;
  /// Why a 2-D weight that could have been quantized stays f32 (for --quant-report).
  std::string keptReason;

  /// Bytes in NAME.weights.
  uint64_t storedBytes() const {
    if (!quantDtype) return source.byteSize;
    return static_cast<uint64_t>(dims[0] * dims[1]) * edge_weights_block_bytes(quantDtype, static_cast<uint64_t>(dims[2]));
  }
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
