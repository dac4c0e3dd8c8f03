//===- ExternalData.h - where an initializer's bytes live ------*- C++ -*-===//
//
// ONNX tensors keep their data inline (raw_data or typed fields) or in a file next to
// the model (external data: location, offset, length). Both are described by a
// TensorSource, validated once at import (sizes, offsets, and that an external file stays
// inside the model's folder) and read later, while streaming, by the weight packer.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_IMPORT_EXTERNALDATA_H
#define EDGE_COMPILER_IMPORT_EXTERNALDATA_H

#include <cstdint>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace onnx {
class TensorProto;
}

namespace edge {

struct TensorSource {
  const ::onnx::TensorProto *proto = nullptr; ///< inline data (owned by the ModelProto)
  std::string externalPath;                 ///< resolved, canonical path when external
  uint64_t externalOffset = 0;
  uint64_t byteSize = 0; ///< bytes of the tensor in the target element layout
};

/// Validates `tensor`'s data location and size against `elementSize` x element count and,
/// for external data, resolves the file inside `modelDir` (no absolute paths, no escaping
/// through '..' or symlinks) and checks it holds offset + length bytes.
llvm::Expected<TensorSource> describeTensorData(const ::onnx::TensorProto &tensor,
                                                llvm::StringRef modelDir, uint64_t elementSize,
                                                uint64_t elementCount);

/// Calls `consume` with the tensor's bytes in chunks (little-endian, element type of the
/// tensor), without holding more than one chunk of external data in memory.
llvm::Error streamTensorData(const TensorSource &source,
                             llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume);

/// Reads the whole tensor (for small constants).
llvm::Expected<std::vector<uint8_t>> readTensorData(const TensorSource &source);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_EXTERNALDATA_H
