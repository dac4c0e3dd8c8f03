//===- WeightsWriter.cpp - NAME.weights (runtime/include/edge/weights_format.h) ===//
#include "codegen/artifacts/Artifacts.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/fnv1a.h"
#include "edge/weights_format.h"
#include "ukernels/quantize.h"
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

/// Quantizes the f32 source row by row (a row = K values of one output channel) as the
/// entry says, measuring the error against the source.
static llvm::Error streamQuantized(WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto bytes = readTensorData(weight.source);
  if (!bytes) return bytes.takeError();
  auto error = quantizeMatrix(*bytes, weight.dims[0], weight.dims[1] * weight.quantBlock, weight.quantFromKN,
                              weight.quantDtype, weight.quantBlock, consume);
  if (!error) return llvm::createStringError("weight '" + weight.name + "': " + llvm::toString(error.takeError()));
  weight.quantRelRmse = error->relRmse;
  weight.quantMaxAbsError = error->maxAbs;
  return llvm::Error::success();
}

/// Re-lays pre-quantized integers out as weight.quantDtype blocks, row by row. A source
/// block has a scale and a zero point (value = scale * (q - zero), `blockOf(n, b)`) and
/// integers q (`valueOf(n, b, e)`). 4-bit q are stored as nibbles q + `offset` (8 for signed
/// int4): q4_0 means zero + offset == 8, q4_1 stores the minimum -scale * (zero + offset);
/// q8_0 stores q (zero 0). Exact but for the scales' rounding to f16, which is measured.
static void convertPrequantized(WeightEntry &weight, int offset,
                                llvm::function_ref<std::pair<float, int>(int64_t, int64_t)> blockOf,
                                llvm::function_ref<int(int64_t, int64_t, int64_t)> valueOf,
                                llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  const int64_t rows = weight.dims[0], blocks = weight.dims[1], block = weight.dims[2];
  const uint64_t blockBytes = edge_weights_block_bytes(weight.quantDtype, block);
  const bool q8 = weight.quantDtype == EDGE_DTYPE_Q8_0, q41 = weight.quantDtype == EDGE_DTYPE_Q4_1;
  std::vector<uint8_t> row(blocks * blockBytes);
  std::vector<float> original(block), converted(block);
  double error = 0, norm = 0, maxError = 0;
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t b = 0; b < blocks; ++b) {
      const auto [scale, zero] = blockOf(n, b);
      uint8_t *out = row.data() + b * blockBytes;
      edge_store_f16(out, scale);
      if (q41) edge_store_f16(out + 2, -scale * static_cast<float>(zero + offset));
      uint8_t *values = out + (q41 ? 4 : 2);
      if (!q8) std::memset(values, 0, block / 2);
      for (int64_t e = 0; e < block; ++e) {
        const int q = valueOf(n, b, e);
        original[e] = scale * static_cast<float>(q - zero);
        if (q8) {
          values[e] = static_cast<uint8_t>(static_cast<int8_t>(q));
          continue;
        }
        int64_t byte;
        int shift;
        edge_nibble_slot(e, &byte, &shift);
        values[byte] |= static_cast<uint8_t>((q + offset) << shift);
      }
      edge_dequantize_row(weight.quantDtype, out, block, block, converted.data());
      for (int64_t e = 0; e < block; ++e) {
        double difference = std::fabs(double(converted[e]) - original[e]);
        error += difference * difference, norm += double(original[e]) * original[e];
        maxError = std::max(maxError, difference);
      }
    }
    consume(row);
  }
  weight.quantRelRmse = norm > 0 ? std::sqrt(error / norm) : 0;
  weight.quantMaxAbsError = maxError;
}

/// The bytes of an optional source (empty when absent).
static llvm::Expected<std::vector<uint8_t>> readOptional(const std::optional<TensorSource> &source) {
  if (!source) return std::vector<uint8_t>();
  return readTensorData(*source);
}

static float floatAt(const std::vector<uint8_t> &bytes, int64_t index) {
  float value;
  std::memcpy(&value, bytes.data() + 4 * index, 4);
  return value;
}

/// A MatMulNBits weight: B [N, K / block, block / 2] (element 2i in the low nibble of byte
/// i), f32 scales [N * K / block], packed zero points (two a byte; default 8).
static llvm::Error streamNBits(WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto packed = readTensorData(weight.source);
  auto scales = readTensorData(*weight.nbitsScales);
  auto zeros = readOptional(weight.nbitsZeroPoints);
  if (!packed || !scales || !zeros)
    return llvm::joinErrors(llvm::joinErrors(packed.takeError(), scales.takeError()), zeros.takeError());
  const int64_t blocks = weight.dims[1], block = weight.dims[2];
  convertPrequantized(
      weight, 0,
      [&](int64_t n, int64_t b) {
        int zero = 8;
        if (!zeros->empty()) {
          uint8_t pair = (*zeros)[n * ((blocks + 1) / 2) + b / 2];
          zero = b % 2 == 0 ? pair & 15 : pair >> 4;
        }
        return std::make_pair(floatAt(*scales, n * blocks + b), zero);
      },
      [&](int64_t n, int64_t b, int64_t e) { return ((*packed)[(n * blocks + b) * (block / 2) + e / 2] >> (4 * (e % 2))) & 15; },
      consume);
  return llvm::Error::success();
}

/// A blocked DequantizeLinear weight: x [K, N] int8 / int4 / uint4 (row-major, 4-bit values
/// two a byte, the first in the low nibble), f32 scales and optional zero points of x's
/// type, [K / block, N].
static llvm::Error streamBlockDequantize(WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto x = readTensorData(weight.source);
  auto scales = readTensorData(*weight.dqScales);
  auto zeros = readOptional(weight.dqZeroPoints);
  if (!x || !scales || !zeros)
    return llvm::joinErrors(llvm::joinErrors(x.takeError(), scales.takeError()), zeros.takeError());
  const int type = weight.dqElementType; // 3 int8, 21 uint4, 22 int4
  auto element = [&](const std::vector<uint8_t> &bytes, int64_t i) -> int {
    if (type == 3) return static_cast<int8_t>(bytes[i]);
    int nibble = (bytes[i / 2] >> (4 * (i % 2))) & 15;
    return type == 22 && nibble >= 8 ? nibble - 16 : nibble;
  };
  const int64_t rows = weight.dims[0], block = weight.dims[2];
  convertPrequantized(
      weight, type == 22 ? 8 : 0,
      [&](int64_t n, int64_t b) {
        return std::make_pair(floatAt(*scales, b * rows + n), zeros->empty() ? 0 : element(*zeros, b * rows + n));
      },
      [&](int64_t n, int64_t b, int64_t e) { return element(*x, (b * block + e) * rows + n); }, consume);
  return llvm::Error::success();
}

/// Streams the tensor as stored: as in the model, block-quantized, or re-laid out into
/// [N/P, K, P] panels (the last two need the whole tensor in memory, one tensor at a time).
static llvm::Error streamStored(WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (weight.nbitsScales) return streamNBits(weight, consume);
  if (weight.dqScales) return streamBlockDequantize(weight, consume);
  if (weight.quantDtype) return streamQuantized(weight, consume);
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
    uint64_t written = 0;
    uint64_t checksum = EDGE_FNV1A_INIT;
    if (llvm::Error error = streamStored(weight, [&](llvm::ArrayRef<uint8_t> chunk) {
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
  interface.weightsFingerprint = header.fingerprint;
  return llvm::Error::success();
}

} // namespace edge
