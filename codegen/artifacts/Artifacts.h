//===- Artifacts.h - the files `edgec compile` writes ----------*- C++ -*-===//
#ifndef EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H
#define EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H

#include "compiler/import/ModelInterface.h"
#include "llvm/Support/Error.h"

namespace edge {

/// Streams every weight of `interface` into `path` (weights_format.h), computing the
/// per-tensor checksums and the fingerprint, which it stores in `interface`. Writes a
/// temporary file and renames it, so a failure never leaves a half-written file behind.
llvm::Error writeWeightsFile(llvm::StringRef path, ModelInterface &interface);

/// How far a quantized matrix is from its f32 source.
struct QuantizationError {
  double relRmse = 0; ///< ||deq(q(w)) - w|| / ||w||
  double maxAbs = 0;  ///< max |deq(q(w)) - w|
};

/// Quantizes the f32 matrix in `bytes` (N = `rows` rows of `k` values: [N, K] row-major, or
/// [K, N] when `fromKN`) row by row into `dtype` blocks of `block` values, handing each
/// row's bytes to `consume`; an error if `bytes` is not rows x k floats.
llvm::Expected<QuantizationError> quantizeMatrix(llvm::ArrayRef<uint8_t> bytes, int64_t rows, int64_t k, bool fromKN,
                                                 uint32_t dtype, int64_t block,
                                                 llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume);

/// The C header declaring NAME_model() with the model's inputs and outputs documented.
llvm::Error writeModelHeader(llvm::StringRef path, const ModelInterface &interface, llvm::StringRef source);

/// A static archive with one member, `memberName`, holding `object`.
llvm::Error writeStaticArchive(llvm::StringRef path, llvm::StringRef memberName, llvm::StringRef object);

/// Writes `contents` to `path` through a temporary file and a rename.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace edge

#endif // EDGE_CODEGEN_ARTIFACTS_ARTIFACTS_H
