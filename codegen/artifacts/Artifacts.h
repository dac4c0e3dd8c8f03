//===- Artifacts.h - the files `edgec compile` writes ----------*- C++ -*-===//
#ifndef EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H
#define EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codegen/common/ModelIdentity.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace edge {

/// How far a quantized matrix is from its source.
struct QuantizationError {
  double relRmse = 0; ///< ||deq(q(w)) - w|| / ||w||
  double maxAbs = 0;  ///< max |deq(q(w)) - w|
};

/// One tensor of NAME.weights as stored, in file order: the layout the compiler chose
/// (the edge.weight ops' pack_n and quant attributes) for a source tensor.
struct WeightRecord {
  std::string name;
  uint32_t dtype = 0;        ///< edge_dtype_t as stored
  std::vector<int64_t> dims; ///< as stored
  uint64_t offset = 0;       ///< in the data section, 64-byte aligned
  uint64_t sourceBytes = 0;  ///< bytes of the source tensor (stored size when not quantized)
  /// Panel packing: 0 = as in the model; P = the 2-D source [K, N] ([N, K] when
  /// packFromNK) stored as [N/P, K, P].
  int64_t packN = 0;
  bool packFromNK = false;
  /// Block quantization: 0 = none, else the EDGE_DTYPE_Q* stored; the 2-D f32 source
  /// ([K, N] when quantFromKN, else [N, K]) is stored as N rows of K values in blocks of
  /// quantBlock, dims [N, K / block, block].
  uint32_t quantDtype = 0;
  int64_t quantBlock = 0;
  bool quantFromKN = false;
  /// The source already holds the stored blocks (a pre-quantized ONNX weight).
  bool prequantized = false;
  /// Measured while writing a quantized record: its error against the source.
  QuantizationError measured;

  uint64_t storedBytes() const;
};

/// Where the weights writer reads a record's bytes from; the importer's sources, adapted
/// by the driver, so that codegen never sees ONNX.
class WeightSource {
public:
  virtual ~WeightSource() = default;
  /// Streams record `index`'s source bytes in chunks (called from several threads at
  /// once, for different records): the tensor as in the model or, for
  /// a pre-quantized record, its rows in the stored block format, with the conversion's
  /// error in *measured.
  virtual llvm::Error stream(size_t index, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                             QuantizationError *measured) = 0;
};

/// How the weights file is written.
struct WeightsWriteOptions {
  /// Tensors packed at once, each on its own thread (the file is the same for any count).
  unsigned jobs = 1;
  /// Called after each tensor, one call at a time, from the writing threads: tensors
  /// done, of total, and their stored bytes so far.
  std::function<void(size_t done, size_t total, uint64_t bytes)> progress;
};

/// Streams every record into `path` (weights_format.h) in the layout it states, computing
/// the per-tensor checksums and the measured quantization errors; returns the file's
/// fingerprint. Writes a temporary file and renames it, so a failure never leaves a
/// half-written file behind.
llvm::Expected<uint64_t> writeWeightsFile(llvm::StringRef path, std::vector<WeightRecord> &weights,
                                          uint64_t dataSize, WeightSource &source,
                                          const WeightsWriteOptions &options = {});

/// Quantizes the f32 matrix in `bytes` (N = `rows` rows of `k` values: [N, K] row-major, or
/// [K, N] when `fromKN`) row by row into `dtype` blocks of `block` values, handing each
/// row's bytes to `consume`; an error if `bytes` is not rows x k floats.
llvm::Expected<QuantizationError> quantizeMatrix(llvm::ArrayRef<uint8_t> bytes, int64_t rows, int64_t k, bool fromKN,
                                                 uint32_t dtype, int64_t block,
                                                 llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume);

/// The C header declaring NAME_model() with the model's inputs and outputs documented.
llvm::Error writeModelHeader(llvm::StringRef path, const ModelIdentity &identity, const ModelInterface &interface,
                             llvm::StringRef source);

/// A static archive with one member, `memberName`, holding `object`: GNU layout, or the
/// BSD one Apple's tools read when `darwin`.
llvm::Error writeStaticArchive(llvm::StringRef path, llvm::StringRef memberName, llvm::StringRef object,
                               bool darwin = false);

/// Writes `contents` to `path` through a temporary file and a rename.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace edge

#endif // EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H
