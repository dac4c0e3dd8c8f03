//===- ImportedWeights.h - the weights an import found, and their sources -*- C++ -*-===//
//
// The importer's list of NAME.weights tensors with where their bytes live in the ONNX
// model. Only the importer reads sources; the driver hands the bytes to the weights
// writer (codegen/artifacts) through its WeightSource interface.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_IMPORT_IMPORTEDWEIGHTS_H
#define EDGE_COMPILER_IMPORT_IMPORTEDWEIGHTS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/import/ExternalData.h"
#include "edge/weights_format.h"

namespace edge {

/// One tensor the model holds, in file order, as imported: its ONNX element type and
/// dims, and where its bytes are. How it is stored in NAME.weights (packed, quantized,
/// where) is the IR's to say (the edge.weight ops); only pre-quantized weights arrive in
/// their stored form.
struct WeightEntry {
  std::string name;
  uint32_t dtype = 0;
  std::vector<int64_t> dims;
  uint64_t offset = 0; ///< as imported (the order of the file); edge-lay-out-weights places it
  TensorSource source;
  /// Pre-quantized weights only: the EDGE_DTYPE_Q* they are stored as, in N rows of K
  /// values in blocks of quantBlock (dtype and dims [N, K / block, block] say so).
  uint32_t quantDtype = 0;
  int64_t quantBlock = 0;
  bool quantFromKN = false;
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

  /// Bytes it takes as imported.
  uint64_t storedBytes() const {
    if (!quantDtype) return source.byteSize;
    return static_cast<uint64_t>(dims[0] * dims[1]) * edge_weights_block_bytes(quantDtype, static_cast<uint64_t>(dims[2]));
  }
};

/// The weights an import found, in file order, with their sources (which only the
/// importer reads).
struct ImportedWeights {
  std::vector<WeightEntry> entries;
  uint64_t dataSize = 0; ///< bytes of the data section as imported (before quantization)
};

/// Streams a weight's bytes for NAME.weights: the source data as in the model or, for a
/// pre-quantized weight (MatMulNBits, blocked DequantizeLinear), its rows re-laid out as
/// entry.quantDtype blocks — exact but for the scales' rounding to f16, which is measured
/// into *relRmse and *maxAbsError.
llvm::Error streamWeightSource(const WeightEntry &entry, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                               double *relRmse, double *maxAbsError);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_IMPORTEDWEIGHTS_H
