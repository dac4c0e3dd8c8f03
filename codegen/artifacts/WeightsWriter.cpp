//===- WeightsWriter.cpp - NAME.weights (runtime/include/edge/weights_format.h) ===//
#include "codegen/artifacts/Artifacts.h"

#include <cstring>

#include "base/fnv1a.h"
#include "edge/weights_format.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

static uint64_t alignTo64(uint64_t value) { return (value + 63) / 64 * 64; }

/// Streams the tensor as stored: as in the model, or re-laid out into [N/P, K, P] panels
/// (which needs the whole tensor in memory, one tensor at a time).
static llvm::Error streamStored(const WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (weight.packN == 0) return streamTensorData(weight.source, consume);
  auto bytes = readTensorData(weight.source);
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

llvm::Error writeWeightsFile(llvm::StringRef path, ModelInterface &interface) {
  std::vector<edge_weights_entry_t> entries(interface.weights.size());
  std::string names;
  for (auto [i, weight] : llvm::enumerate(interface.weights)) {
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
    entry.data_size = weight.source.byteSize;
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
  header.data_size = interface.weightsDataSize;

  std::string temporary = (path + ".tmp").str();
  std::error_code ec;
  llvm::raw_fd_ostream out(temporary, ec);
  if (ec) return llvm::createStringError(path + ": cannot write: " + ec.message());
  // Data first (streamed, checksummed); then the table and header, which need the sums.
  out.seek(header.data_offset);
  uint64_t position = 0;
  for (auto [i, weight] : llvm::enumerate(interface.weights)) {
    for (; position < weight.offset; ++position) out << '\0';
    uint64_t checksum = EDGE_FNV1A_INIT;
    if (llvm::Error error = streamStored(weight, [&](llvm::ArrayRef<uint8_t> chunk) {
          checksum = edge_fnv1a_update(checksum, chunk.data(), chunk.size());
          out.write(reinterpret_cast<const char *>(chunk.data()), chunk.size());
        })) {
      out.close();
      llvm::sys::fs::remove(temporary);
      return error;
    }
    position += weight.source.byteSize;
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
  interface.weightsFingerprint = header.fingerprint;
  return llvm::Error::success();
}

} // namespace edge
