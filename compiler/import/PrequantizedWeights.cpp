//===- PrequantizedWeights.cpp - a weight's bytes for NAME.weights --------===//
//
// Pre-quantized ONNX weights (com.microsoft MatMulNBits, blocked DequantizeLinear) are
// re-laid out here, inside the importer that knows their ONNX layouts, as the q4_0 /
// q4_1 / q8_0 rows of edge/weights_format.h; everything else streams as in the model.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ImportedWeights.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "edge/quantize.h"

namespace edge {

/// Re-lays pre-quantized integers out as weight.quantDtype blocks, row by row. A source
/// block has a scale and a zero point (value = scale * (q - zero), `blockOf(n, b)`) and
/// integers q (`valueOf(n, b, e)`). 4-bit q are stored as nibbles q + `offset` (8 for signed
/// int4): q4_0 means zero + offset == 8, q4_1 stores the minimum -scale * (zero + offset);
/// q8_0 stores q (zero 0). Exact but for the scales' rounding to f16, which is measured.
static void convertPrequantized(const WeightEntry &weight, int offset,
                                llvm::function_ref<std::pair<float, int>(int64_t, int64_t)> blockOf,
                                llvm::function_ref<int(int64_t, int64_t, int64_t)> valueOf,
                                llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume, double *relRmse,
                                double *maxAbsError) {
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
  *relRmse = norm > 0 ? std::sqrt(error / norm) : 0;
  *maxAbsError = maxError;
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
static llvm::Error streamNBits(const WeightEntry &weight, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                               double *relRmse, double *maxAbsError) {
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
      consume, relRmse, maxAbsError);
  return llvm::Error::success();
}

/// A blocked DequantizeLinear weight: x [K, N] int8 / int4 / uint4 (row-major, 4-bit values
/// two a byte, the first in the low nibble), f32 scales and optional zero points of x's
/// type, [K / block, N].
static llvm::Error streamBlockDequantize(const WeightEntry &weight,
                                         llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume, double *relRmse,
                                         double *maxAbsError) {
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
      [&](int64_t n, int64_t b, int64_t e) { return element(*x, (b * block + e) * rows + n); }, consume, relRmse,
      maxAbsError);
  return llvm::Error::success();
}

llvm::Error streamWeightSource(const WeightEntry &entry, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                               double *relRmse, double *maxAbsError) {
  if (entry.nbitsScales) return streamNBits(entry, consume, relRmse, maxAbsError);
  if (entry.dqScales) return streamBlockDequantize(entry, consume, relRmse, maxAbsError);
  return streamTensorData(entry.source, consume);
}

} // namespace edge
