// Weight bytes held in memory: the weights writer's source in the unit tests, which build
// NAME.weights without an ONNX model.
#ifndef EDGE_TESTS_UNIT_MEMORY_WEIGHT_SOURCE_H
#define EDGE_TESTS_UNIT_MEMORY_WEIGHT_SOURCE_H

#include <cstring>
#include <string>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
#include "edge/model_abi.h"

namespace edge::testing {

class MemoryWeightSource : public WeightSource {
public:
  /// One tensor's source bytes per record, in record order.
  std::vector<std::vector<uint8_t>> tensors;

  template <typename T> void add(const T *values, size_t count) {
    const auto *bytes = reinterpret_cast<const uint8_t *>(values);
    tensors.emplace_back(bytes, bytes + count * sizeof(T));
  }
  llvm::Error stream(size_t index, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                     QuantizationError *) override {
    consume(tensors[index]);
    return llvm::Error::success();
  }
};

/// An f32 record of `dims` at `offset`, stored as in the source.
inline WeightRecord f32Record(std::string name, std::vector<int64_t> dims, uint64_t offset) {
  WeightRecord record;
  record.name = std::move(name);
  record.dtype = EDGE_DTYPE_F32;
  record.dims = std::move(dims);
  record.offset = offset;
  record.sourceBytes = 4;
  for (int64_t d : record.dims) record.sourceBytes *= static_cast<uint64_t>(d);
  return record;
}

/// Writes `records` from `source` to `path`; the fingerprint, or 0 with the error in *error.
inline uint64_t writeWeights(const std::string &path, std::vector<WeightRecord> &records, uint64_t dataSize,
                             WeightSource &source, std::string *error) {
  auto fingerprint = writeWeightsFile(path, records, dataSize, source);
  if (fingerprint) return *fingerprint;
  *error = llvm::toString(fingerprint.takeError());
  return 0;
}

} // namespace edge::testing

#endif // EDGE_TESTS_UNIT_MEMORY_WEIGHT_SOURCE_H
