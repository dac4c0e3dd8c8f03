//===- WeightsWriter.cpp - NAME.weights (runtime/include/edge/weights_format.h) ===//
#include "codegen/artifacts/Artifacts.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "edge/fnv1a.h"
#include "edge/model_abi.h"
#include "edge/weights_format.h"
#include "edge/quantize.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

static uint64_t alignTo64(uint64_t value) { return (value + 63) / 64 * 64; }

llvm::Expected<QuantizationError> quantizeMatrix(llvm::ArrayRef<uint8_t> bytes, int64_t rows, int64_t k, bool fromKN,
                                                 uint32_t dtype, int64_t block,
                                                 llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (bytes.size() != static_cast<size_t>(rows * k) * sizeof(float))
    return llvm::createStringError(llvm::Twine(bytes.size()) + " bytes of data for " + llvm::Twine(rows * k) +
                                   " f32 values");
  const float *values = reinterpret_cast<const float *>(bytes.data());
  std::vector<float> row(k), back(k);
  std::vector<uint8_t> packed(k / block * edge_weights_block_bytes(dtype, block));
  double error = 0, norm = 0;
  QuantizationError result;
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t j = 0; j < k; ++j) row[j] = fromKN ? values[j * rows + n] : values[n * k + j];
    edge_quantize_row(dtype, row.data(), k, block, packed.data());
    edge_dequantize_row(dtype, packed.data(), k, block, back.data());
    for (int64_t j = 0; j < k; ++j) {
      double difference = std::fabs(double(back[j]) - row[j]);
      error += difference * difference, norm += double(row[j]) * row[j];
      result.maxAbs = std::max(result.maxAbs, difference);
    }
    consume(packed);
  }
  result.relRmse = norm > 0 ? std::sqrt(error / norm) : 0;
  return result;
}

/// The whole source tensor of record `index` (packing and quantizing need all of it, one
/// tensor at a time).
static llvm::Expected<std::vector<uint8_t>> readSource(WeightSource &source, size_t index) {
  std::vector<uint8_t> bytes;
  QuantizationError unused;
  if (llvm::Error error = source.stream(index, [&](llvm::ArrayRef<uint8_t> chunk) {
        bytes.insert(bytes.end(), chunk.begin(), chunk.end());
      }, &unused))
    return std::move(error);
  return bytes;
}

/// Quantizes the f32 source row by row (a row = K values of one output channel) as the
/// record says, measuring the error against the source.
static llvm::Error streamQuantized(WeightRecord &weight, size_t index, WeightSource &source,
                                   llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto bytes = readSource(source, index);
  if (!bytes) return bytes.takeError();
  auto error = quantizeMatrix(*bytes, weight.dims[0], weight.dims[1] * weight.quantBlock, weight.quantFromKN,
                              weight.quantDtype, weight.quantBlock, consume);
  if (!error) return llvm::createStringError("weight '" + weight.name + "': " + llvm::toString(error.takeError()));
  weight.measured = *error;
  return llvm::Error::success();
}

/// Streams the tensor as stored: as the source gives it (as in the model, or pre-quantized
/// rows), block-quantized, or re-laid out into [N/P, K, P] panels.
static llvm::Error streamStored(WeightRecord &weight, size_t index, WeightSource &source,
                                llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (weight.quantDtype && !weight.prequantized) return streamQuantized(weight, index, source, consume);
  if (weight.packN == 0) return source.stream(index, consume, &weight.measured);
  auto bytes = readSource(source, index);
  if (!bytes) return bytes.takeError();
  int64_t panels = weight.dims[0], k = weight.dims[1], p = weight.dims[2], n = panels * p;
  if (bytes->empty() || n * k == 0) return llvm::Error::success();
  size_t element = bytes->size() / static_cast<size_t>(n * k);
  std::vector<uint8_t> packed(bytes->size());
  uint8_t *out = packed.data();
  for (int64_t panel = 0; panel < panels; ++panel)
    for (int64_t row = 0; row < k; ++row)
      for (int64_t col = 0; col < p; ++col, out += element) {
        int64_t column = panel * p + col;
        int64_t index = weight.packFromNK ? column * k + row : row * n + column;
        std::memcpy(out, bytes->data() + index * element, element);
      }
  consume(packed);
  return llvm::Error::success();
}

uint64_t WeightRecord::storedBytes() const {
  if (!quantDtype) return sourceBytes;
  return static_cast<uint64_t>(dims[0] * dims[1]) * edge_weights_block_bytes(quantDtype, static_cast<uint64_t>(dims[2]));
}

llvm::Expected<uint64_t> writeWeightsFile(llvm::StringRef path, std::vector<WeightRecord> &weights, uint64_t dataSize,
                                         WeightSource &source) {
  std::vector<edge_weights_entry_t> entries(weights.size());
  std::string names;
  for (auto [i, weight] : llvm::enumerate(weights)) {
    if (weight.dims.size() > EDGE_WEIGHTS_MAX_RANK)
      return llvm::createStringError("weight '" + weight.name + "' has rank " + llvm::Twine(weight.dims.size()) +
                                     " (the weights format holds up to " + llvm::Twine(EDGE_WEIGHTS_MAX_RANK) + ")");
    edge_weights_entry_t &entry = entries[i];
    std::memset(&entry, 0, sizeof(entry));
    entry.name_offset = static_cast<uint32_t>(names.size());
    entry.name_size = static_cast<uint32_t>(weight.name.size());
    names += weight.name;
    entry.dtype = weight.dtype;
    entry.rank = static_cast<uint32_t>(weight.dims.size());
    std::copy(weight.dims.begin(), weight.dims.end(), entry.dims);
    entry.data_offset = weight.offset;
    entry.data_size = weight.storedBytes();
  }
  edge_weights_header_t header;
  std::memset(&header, 0, sizeof(header));
  std::memcpy(header.magic, EDGE_WEIGHTS_MAGIC, 8);
  header.version = EDGE_WEIGHTS_VERSION;
  header.tensor_count = static_cast<uint32_t>(entries.size());
  header.table_offset = sizeof(header);
  header.names_offset = header.table_offset + entries.size() * sizeof(edge_weights_entry_t);
  header.names_size = names.size();
  header.data_offset = alignTo64(header.names_offset + header.names_size);
  header.data_size = dataSize;

  std::string temporary = (path + ".tmp").str();
  std::error_code ec;
  llvm::raw_fd_ostream out(temporary, ec);
  if (ec) return llvm::createStringError(path + ": cannot write: " + ec.message());
  // Data first (streamed, checksummed); then the table and header, which need the sums.
  out.seek(header.data_offset);
  uint64_t position = 0;
  for (auto [i, weight] : llvm::enumerate(weights)) {
    for (; position < weight.offset; ++position) out << '\0';
    uint64_t written = 0;
    uint64_t checksum = EDGE_FNV1A_INIT;
    if (llvm::Error error = streamStored(weight, i, source, [&](llvm::ArrayRef<uint8_t> chunk) {
          checksum = edge_fnv1a_update(checksum, chunk.data(), chunk.size());
          written += chunk.size();
          out.write(reinterpret_cast<const char *>(chunk.data()), chunk.size());
        })) {
      out.close();
      llvm::sys::fs::remove(temporary);
      return error;
    }
    if (written != weight.storedBytes()) {
      out.close();
      llvm::sys::fs::remove(temporary);
      return llvm::createStringError("weight '" + weight.name + "': wrote " + llvm::Twine(written) + " bytes, planned " +
                                     llvm::Twine(weight.storedBytes()));
    }
    position += written;
    entries[i].checksum = checksum;
  }
  for (; position < header.data_size; ++position) out << '\0';
  header.fingerprint = edge_fnv1a_update(EDGE_FNV1A_INIT, entries.data(), entries.size() * sizeof(edge_weights_entry_t));
  header.fingerprint = edge_fnv1a_update(header.fingerprint, names.data(), names.size());
  out.seek(0);
  out.write(reinterpret_cast<const char *>(&header), sizeof(header));
  out.write(reinterpret_cast<const char *>(entries.data()), entries.size() * sizeof(edge_weights_entry_t));
  out << names;
  out.close();
  if (out.has_error()) {
    llvm::sys::fs::remove(temporary);
    return llvm::createStringError(path + ": write failed: " + out.error().message());
  }
  if (std::error_code rename = llvm::sys::fs::rename(temporary, path))
    return llvm::createStringError(path + ": cannot rename: " + rename.message());
  return header.fingerprint;
}

} // namespace edge
