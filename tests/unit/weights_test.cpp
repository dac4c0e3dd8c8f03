// NAME.weights: the compiler's writer and the runtime's validating reader, round trip and
// every kind of damage a file can carry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "edge/checksum.h"
#include "edge/fnv1a.h"
#include "codegen/artifacts/Artifacts.h"
#include "memory_weight_source.h"
#include "edge/edgert.h"
#include "edge/weights_format.h"
#include "edge/quantize.h"

namespace {

class WeightsTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = ::testing::TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".weights";
    for (int t = 0; t < 2; ++t) {
      std::vector<float> values(t == 0 ? 24 : 6);
      for (size_t i = 0; i < values.size(); ++i) values[i] = 0.5f * i + t;
      source.add(values.data(), values.size());
    }
    records = {edge::testing::f32Record("layer.weight", {4, 6}, 0), edge::testing::f32Record("layer.bias", {6}, 128)};
    std::string error;
    fingerprint = edge::testing::writeWeights(path, records, 152, source, &error);
    ASSERT_NE(fingerprint, 0u) << error;
  }

  std::string read() {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void write(const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }

  /// Opens the file and returns the status code (releasing everything).
  edge_status_code_t open(uint32_t flags = 0, std::string *message = nullptr) {
    edge_weights_t *weights = reinterpret_cast<edge_weights_t *>(0x1);
    edge_status_t status = edge_weights_open(path.c_str(), flags, &weights);
    edge_status_code_t code = edge_status_code(status);
    if (message) *message = edge_status_message(status);
    if (status) EXPECT_EQ(weights, nullptr) << "a failed open must not hand out a handle";
    edge_status_free(status);
    edge_weights_release(weights);
    return code;
  }

  std::string path;
  edge::testing::MemoryWeightSource source;
  std::vector<edge::WeightRecord> records;
  uint64_t fingerprint = 0;
};

TEST_F(WeightsTest, RoundTrip) {
  edge_weights_t *weights = nullptr;
  ASSERT_EQ(edge_weights_open(path.c_str(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
  EXPECT_EQ(edge_weights_fingerprint(weights), fingerprint);
  EXPECT_NE(fingerprint, 0u);
  ASSERT_EQ(edge_weights_tensor_count(weights), 2u);
  const char *name;
  size_t nameSize;
  const void *data;
  uint64_t size;
  ASSERT_EQ(edge_weights_tensor_get(weights, 1, &name, &nameSize, &data, &size), nullptr);
  EXPECT_EQ(std::string(name, nameSize), "layer.bias");
  EXPECT_EQ(size, 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % EDGE_WEIGHTS_ALIGNMENT, 0u);
  EXPECT_EQ(static_cast<const float *>(data)[2], 2.0f);
  edge_status_t status = edge_weights_tensor_get(weights, 2, &name, &nameSize, &data, &size);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(data, nullptr);
  edge_status_free(status);
  edge_weights_release(weights);
}

// The bias of the fixture's file, read through `weights`.
float biasAt(edge_weights_t *weights, int i) {
  const char *name;
  size_t nameSize;
  const void *data;
  uint64_t size;
  EXPECT_EQ(edge_weights_tensor_get(weights, 1, &name, &nameSize, &data, &size), nullptr);
  return data ? static_cast<const float *>(data)[i] : -1.f;
}

std::string statusMessage(edge_status_t status) {
  std::string message = edge_status_message(status);
  edge_status_free(status);
  return message;
}

// The file stored inside another one (an APK's uncompressed asset): opened by descriptor,
// offset and size, also past a page boundary; offsets off the 64-byte grid, ranges past the
// end and bad descriptors are refused.
TEST_F(WeightsTest, OpensFromADescriptorAtAnOffset) {
  const std::string bytes = read();
  const std::string container = path + ".apk";
  const size_t offset = 4096 + 192;
  std::ofstream(container, std::ios::binary) << std::string(offset, 'x') << bytes << std::string(100, 'y');
  int fd = ::open(container.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  edge_weights_t *weights = nullptr;
  ASSERT_EQ(edge_weights_open_fd(fd, offset, bytes.size(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
  ::close(fd); // the mapping outlives the descriptor
  EXPECT_EQ(edge_weights_fingerprint(weights), fingerprint);
  EXPECT_EQ(biasAt(weights, 2), 2.0f);
  edge_weights_release(weights);

  fd = ::open(container.c_str(), O_RDONLY);
  EXPECT_EQ(statusMessage(edge_weights_open_fd(fd, offset + 4, bytes.size(), 0, &weights)),
            "weights fd " + std::to_string(fd) + " at " + std::to_string(offset + 4) +
                ": the offset is not a multiple of 64 (store the file aligned, e.g. zipalign -p)");
  EXPECT_EQ(weights, nullptr);
  edge_status_t status = edge_weights_open_fd(fd, offset, bytes.size() + 101, 0, &weights);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_DATA_LOSS);
  edge_status_free(status);
  // Size 0: to the container's end; bytes past the file's sections are ignored, as in a file.
  ASSERT_EQ(edge_weights_open_fd(fd, offset, 0, 0, &weights), nullptr);
  EXPECT_EQ(biasAt(weights, 2), 2.0f);
  edge_weights_release(weights);
  ::close(fd);
  status = edge_weights_open_fd(-1, 0, 0, 0, &weights);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);
}

// The file image in the caller's buffer: validated as a file is, read in place, never
// written or released by the runtime; a misaligned buffer is refused.
TEST_F(WeightsTest, OpensFromTheCallersMemory) {
  const std::string bytes = read();
  std::vector<uint64_t> storage(bytes.size() / 8 + 16);
  auto *aligned = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(storage.data()) + 63) / 64 * 64);
  std::memcpy(aligned, bytes.data(), bytes.size());
  edge_weights_t *weights = nullptr;
  ASSERT_EQ(edge_weights_open_memory(aligned, bytes.size(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
  EXPECT_EQ(biasAt(weights, 2), 2.0f);
  edge_weights_release(weights);
  EXPECT_EQ(std::memcmp(aligned, bytes.data(), bytes.size()), 0);
  EXPECT_EQ(statusMessage(edge_weights_open_memory(aligned + 8, bytes.size(), 0, &weights)),
            "weights in memory: the file's image starts at an address that is not a multiple of 64 (its tensors "
            "would be misaligned)");
  aligned[bytes.size() - 1] ^= 1; // the last byte of the bias
  edge_status_t status = edge_weights_open_memory(aligned, bytes.size(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_DATA_LOSS) << edge_status_message(status);
  edge_status_free(status);
  EXPECT_EQ(weights, nullptr);
}

TEST_F(WeightsTest, MissingFileIsNotFound) {
  path += ".missing";
  EXPECT_EQ(open(), EDGE_STATUS_NOT_FOUND);
}

TEST_F(WeightsTest, EveryTruncationIsDataLoss) {
  std::string bytes = read();
  for (size_t keep : {size_t(0), size_t(10), size_t(63), size_t(100), bytes.size() - 1}) {
    write(bytes.substr(0, keep));
    EXPECT_EQ(open(), EDGE_STATUS_DATA_LOSS) << "kept " << keep << " bytes";
  }
}

TEST_F(WeightsTest, BadMagicAndVersion) {
  std::string bytes = read();
  std::string damaged = bytes;
  damaged[0] = 'X';
  write(damaged);
  std::string message;
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("bad magic"), std::string::npos) << message;
  damaged = bytes;
  damaged[8] = 9; // version
  write(damaged);
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("version 9, expected 2 (written by a newer edgec)"), std::string::npos) << message;
  damaged[8] = 1; // the FNV-1a checksums of version 1
  write(damaged);
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("version 1, expected 2 (written by an older edgec: compile the model again)"),
            std::string::npos)
      << message;
}

// The tensor checksum depends only on the bytes, whatever pieces the writer hands it in,
// and every single flipped bit changes it (each lane step is a bijection).
TEST(ChecksumTest, PiecesOfAnySizeAndEveryFlippedBit) {
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + 7);
  const uint64_t whole = edge_checksum(data.data(), data.size());
  for (size_t piece : {1, 3, 31, 32, 33, 100, 999}) {
    edge_checksum_t state;
    edge_checksum_init(&state);
    for (size_t at = 0; at < data.size(); at += piece)
      edge_checksum_update(&state, data.data() + at, std::min(piece, data.size() - at));
    EXPECT_EQ(edge_checksum_final(&state), whole) << "pieces of " << piece;
  }
  for (size_t bit = 0; bit < 8 * data.size(); ++bit) {
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(edge_checksum(data.data(), data.size()), whole) << "bit " << bit;
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
  EXPECT_NE(edge_checksum(data.data(), data.size() - 1), whole) << "one byte shorter";
  // Two flips of a word's top bit in one lane (words 0 and 4; a float's sign bit): a lane
  // that only multiplied would carry the difference in bit 63 alone and lose it.
  for (size_t second : {4, 8, 100}) {
    data[7] ^= 0x80, data[8 * second + 7] ^= 0x80;
    EXPECT_NE(edge_checksum(data.data(), data.size()), whole) << "top bits of words 0 and " << second;
    data[7] ^= 0x80, data[8 * second + 7] ^= 0x80;
  }
}

TEST_F(WeightsTest, DamagedTableFailsTheFingerprint) {
  std::string bytes = read();
  bytes[sizeof(edge_weights_header_t) + 16] ^= 1; // dims[0] of the first entry
  write(bytes);
  std::string message;
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("fingerprint"), std::string::npos) << message;
}

TEST_F(WeightsTest, OutOfBoundsSectionsAreRejected) {
  std::string bytes = read();
  edge_weights_header_t header, pristine;
  std::memcpy(&header, bytes.data(), sizeof(header));
  pristine = header;
  header.data_size = UINT64_MAX - 8; // would wrap an unchecked offset + size
  std::memcpy(bytes.data(), &header, sizeof(header));
  write(bytes);
  std::string message;
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("puts the data section at offset"), std::string::npos) << message;
  // A tensor count the table cannot hold: the message names the table, not the data.
  edge_weights_header_t damaged = pristine;
  damaged.tensor_count = 1000000;
  std::memcpy(bytes.data(), &damaged, sizeof(damaged));
  write(bytes);
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("puts the tensor table section at offset"), std::string::npos) << message;
}

TEST_F(WeightsTest, ChecksumsAreCheckedOnRequest) {
  std::string bytes = read();
  bytes[bytes.size() - 1] ^= 0x40; // inside layer.bias
  write(bytes);
  EXPECT_EQ(open(0), EDGE_STATUS_OK);
  EXPECT_EQ(open(EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS), EDGE_STATUS_DATA_LOSS);
}

} // namespace

namespace {

// A [K=2, N=4] weight packed into panels of 2 columns: [N/2, K, 2], and the same values
// given as [N, K] (Gemm transB) pack identically.
TEST(WeightsPackingTest, PanelsOfColumns) {
  const float kn[8] = {0, 1, 2, 3, 10, 11, 12, 13}; // row k, column n
  const float nk[8] = {0, 10, 1, 11, 2, 12, 3, 13};
  const float expected[8] = {0, 1, 10, 11, 2, 3, 12, 13};
  for (bool fromNK : {false, true}) {
    edge::testing::MemoryWeightSource source;
    source.add(fromNK ? nk : kn, 8);
    std::vector<edge::WeightRecord> records = {edge::testing::f32Record("w", {2, 2, 2}, 0)};
    records[0].packN = 2;
    records[0].packFromNK = fromNK;
    std::string path = ::testing::TempDir() + "/packed.weights", error;
    ASSERT_NE(edge::testing::writeWeights(path, records, 32, source, &error), 0u) << error;
    edge_weights_t *weights = nullptr;
    ASSERT_EQ(edge_weights_open(path.c_str(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
    const void *data;
    ASSERT_EQ(edge_weights_tensor_get(weights, 0, nullptr, nullptr, &data, nullptr), nullptr);
    EXPECT_EQ(std::memcmp(data, expected, sizeof(expected)), 0) << "fromNK=" << fromNK;
    edge_weights_release(weights);
  }
}

// Quantized weights: the packer writes rows of the reduction dim (transposing a [K, N]
// MatMul weight), each row exactly what the shared quantizer makes of it, and measures the
// error; the reader checks the size against dtype, rows, blocks and block.
// Rows quantized as stored, and for the _x4 formats each four of them interleaved as
// edge/weights_format.h says.
TEST(WeightsPackingTest, QuantizedRows) {
  const int64_t k = 64, n = 4;
  std::vector<float> kn(k * n), row(k);
  for (int64_t i = 0; i < k * n; ++i) kn[i] = 0.01f * static_cast<float>((i * 37) % 101) - 0.5f;
  for (uint32_t dtype : {EDGE_DTYPE_Q8_0, EDGE_DTYPE_Q4_0, EDGE_DTYPE_Q4_1, EDGE_DTYPE_Q8_0_X4, EDGE_DTYPE_Q4_0_X4,
                         EDGE_DTYPE_Q4_1_X4}) {
    const uint32_t base = edge_weights_base_dtype(dtype);
    edge::testing::MemoryWeightSource source;
    source.add(kn.data(), kn.size());
    edge::WeightRecord record = edge::testing::f32Record("w", {k, n}, 0);
    record.dtype = dtype;
    record.dims = {n, k / 32, 32};
    record.quantDtype = dtype;
    record.quantBlock = 32;
    record.quantFromKN = true;
    std::vector<edge::WeightRecord> records = {record};
    std::string path = ::testing::TempDir() + "/quantized.weights", error;
    ASSERT_NE(edge::testing::writeWeights(path, records, record.storedBytes(), source, &error), 0u) << error;
    EXPECT_GT(records[0].measured.relRmse, 0.0);
    EXPECT_LT(records[0].measured.relRmse, base == EDGE_DTYPE_Q8_0 ? 0.01 : 0.1);
    edge_weights_t *weights = nullptr;
    ASSERT_EQ(edge_weights_open(path.c_str(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
    const void *data;
    uint64_t size;
    ASSERT_EQ(edge_weights_tensor_get(weights, 0, nullptr, nullptr, &data, &size), nullptr);
    const uint64_t rowBytes = k / 32 * edge_weights_block_bytes(dtype, 32);
    ASSERT_EQ(size, n * rowBytes);
    std::vector<uint8_t> expected(n * rowBytes), interleaved(n * rowBytes);
    for (int64_t c = 0; c < n; ++c) {
      for (int64_t j = 0; j < k; ++j) row[j] = kn[j * n + c];
      edge_quantize_row(base, row.data(), k, 32, expected.data() + c * rowBytes);
    }
    if (edge_weights_is_x4(dtype)) {
      const uint8_t *four[4] = {&expected[0], &expected[rowBytes], &expected[2 * rowBytes], &expected[3 * rowBytes]};
      edge_weights_interleave4(base, k / 32, 32, four, interleaved.data());
      expected = interleaved;
    }
    EXPECT_EQ(std::memcmp(data, expected.data(), n * rowBytes), 0) << edge_dtype_name(dtype);
    edge_weights_release(weights);
  }
}

TEST_F(WeightsTest, QuantizedEntryNeedsRowsBlocksAndBlock) {
  // Re-declare the 96-byte weight as q8_0 [4, 1, 16] (4 x 18 = 72 bytes): wrong size; as
  // q8_0 of rank 2: no block dim. The fingerprint is made to match, as a writer would.
  std::string bytes = read();
  edge_weights_header_t header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  edge_weights_entry_t entry;
  std::memcpy(&entry, bytes.data() + header.table_offset, sizeof(entry));
  auto rewrite = [&] {
    std::memcpy(&bytes[header.table_offset], &entry, sizeof(entry));
    uint64_t fingerprint = edge_fnv1a_update(EDGE_FNV1A_INIT, bytes.data() + header.table_offset,
                                             header.tensor_count * sizeof(edge_weights_entry_t));
    header.fingerprint = edge_fnv1a_update(fingerprint, bytes.data() + header.names_offset, header.names_size);
    std::memcpy(&bytes[0], &header, sizeof(header));
    write(bytes);
  };
  entry.dtype = EDGE_DTYPE_Q8_0;
  entry.rank = 3;
  entry.dims[0] = 4, entry.dims[1] = 1, entry.dims[2] = 16;
  rewrite();
  std::string message;
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("expected 72 from dtype and shape"), std::string::npos) << message;
  entry.rank = 2;
  rewrite();
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("needs dims [rows, blocks, block]"), std::string::npos) << message;
  // Rows interleaved by four need a row count that four divides.
  entry.dtype = EDGE_DTYPE_Q8_0_X4;
  entry.rank = 3;
  entry.dims[0] = 3, entry.dims[1] = 1, entry.dims[2] = 32;
  rewrite();
  EXPECT_EQ(open(0, &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("q8_0x4 needs rows in groups of 4"), std::string::npos) << message;
}

} // namespace

namespace {

std::string fileBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Nine quantized and plain records of different sizes, written with 1, 2, 3 and 8 threads.
TEST(WeightsWriterThreads, SameFileForEveryThreadCount) {
  edge::testing::MemoryWeightSource source;
  std::vector<edge::WeightRecord> records;
  uint64_t offset = 0;
  std::vector<std::vector<float>> values(9);
  for (int t = 0; t < 9; ++t) {
    const int64_t n = 3 + t, k = 32 * (1 + t % 3);
    values[t].resize(n * k);
    for (size_t i = 0; i < values[t].size(); ++i) values[t][i] = std::sin(0.37f * i + t) * (1.0f + t);
    source.add(values[t].data(), values[t].size());
    edge::WeightRecord record = edge::testing::f32Record("w" + std::to_string(t), {n, k}, offset);
    if (t % 3 != 2) {
      const uint32_t dtype = t % 3 == 0 ? EDGE_DTYPE_Q4_0 : EDGE_DTYPE_Q8_0;
      record.dtype = record.quantDtype = dtype;
      record.dims = {n, k / 32, 32};
      record.quantBlock = 32;
    }
    offset += (record.storedBytes() + 63) / 64 * 64;
    records.push_back(record);
  }
  std::string reference;
  for (unsigned jobs : {1u, 2u, 3u, 8u}) {
    std::vector<edge::WeightRecord> copy = records;
    std::string path = ::testing::TempDir() + "/threads" + std::to_string(jobs) + ".weights";
    edge::WeightsWriteOptions options;
    options.jobs = jobs;
    size_t calls = 0, last = 0;
    options.progress = [&](size_t done, size_t total, uint64_t) {
      EXPECT_EQ(total, records.size());
      EXPECT_EQ(done, last + 1); // one call at a time, counting up
      last = done, ++calls;
    };
    auto fingerprint = edge::writeWeightsFile(path, copy, offset, source, options);
    ASSERT_TRUE(static_cast<bool>(fingerprint)) << llvm::toString(fingerprint.takeError());
    EXPECT_EQ(calls, records.size());
    std::string bytes = fileBytes(path);
    if (reference.empty()) reference = bytes;
    EXPECT_EQ(bytes, reference) << jobs << " threads";
    EXPECT_GT(copy[0].measured.relRmse, 0.0) << "the q4_0 record's error is measured";
  }
}

/// A source that fails for records 2 and 5: the error is record 2's whichever thread
/// meets it first, and no file is left behind.
class FailingSource : public edge::WeightSource {
public:
  llvm::Error stream(size_t index, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                     edge::QuantizationError *) override {
    if (index == 2 || index == 5) return llvm::createStringError("record " + std::to_string(index) + " is unreadable");
    std::vector<uint8_t> bytes(64, static_cast<uint8_t>(index));
    consume(bytes);
    return llvm::Error::success();
  }
};

TEST(WeightsWriterThreads, FirstFailingRecordIsReported) {
  std::vector<edge::WeightRecord> records;
  for (int t = 0; t < 8; ++t) records.push_back(edge::testing::f32Record("w" + std::to_string(t), {16}, 64 * t));
  for (unsigned jobs : {1u, 4u}) {
    FailingSource source;
    std::string path = ::testing::TempDir() + "/failing.weights";
    edge::WeightsWriteOptions options;
    options.jobs = jobs;
    auto fingerprint = edge::writeWeightsFile(path, records, 64 * 8, source, options);
    ASSERT_FALSE(static_cast<bool>(fingerprint));
    std::string message = llvm::toString(fingerprint.takeError());
    if (jobs == 1) EXPECT_EQ(message, "record 2 is unreadable");
    else EXPECT_TRUE(message == "record 2 is unreadable" || message == "record 5 is unreadable") << message;
    EXPECT_FALSE(std::ifstream(path).good());
    EXPECT_FALSE(std::ifstream(path + ".tmp").good());
  }
}

/// The q4_0 step search picks, of its 21 candidate steps, one whose squared error is the
/// least (checked against the candidates' errors computed here in double precision, to
/// float rounding).
TEST(QuantizeQ4Scale, LeastErrorOfTheCandidates) {
  for (int seed = 0; seed < 200; ++seed) {
    float x[32];
    float extreme = 0;
    for (int j = 0; j < 32; ++j) {
      x[j] = std::sin(1.7f * j * (seed + 1) + seed) * (1.0f + (j % 7 == seed % 7 ? 3.0f : 0.0f));
      if (std::fabs(x[j]) > std::fabs(extreme)) extreme = x[j];
    }
    auto errorOf = [&](float d) {
      double error = 0;
      for (int j = 0; j < 32; ++j) {
        double q = std::min(7.0, std::max(-8.0, std::round(double(x[j] * (1.0f / d)))));
        error += (x[j] - d * q) * (x[j] - d * q);
      }
      return error;
    };
    double best = 1e30;
    for (int k = -10; k <= 10; ++k) {
      const float inverse = (-8.0f - 0.1f * k) / extreme;
      double xq = 0, qq = 0;
      for (int j = 0; j < 32; ++j) {
        double q = std::min(7.0, std::max(-8.0, std::round(double(x[j] * inverse))));
        xq += x[j] * q, qq += q * q;
      }
      if (qq == 0) continue;
      float d = edge_f16_to_f32(edge_f32_to_f16(static_cast<float>(xq / qq)));
      if (d != 0) best = std::min(best, errorOf(d));
    }
    const float chosen = edge_q4_0_scale(x, 32, extreme);
    EXPECT_LE(errorOf(chosen), best * (1 + 1e-4) + 1e-9) << "seed " << seed;
  }
}

} // namespace

namespace {

/// The quantizer's fast f16 rounding is the f32 -> f16 -> f32 round trip, bit for bit: every
/// exponent, mantissas at and around the rounding ties, and a million pseudo-random floats.
TEST(QuantizeQ4Scale, RoundToF16IsTheRoundTrip) {
  auto check = [](uint32_t bits) {
    float value;
    std::memcpy(&value, &bits, sizeof value);
    if (value != value) return; // NaN: payloads need not agree
    const float fast = edge_round_to_f16(value), slow = edge_f16_to_f32(edge_f32_to_f16(value));
    uint32_t a, b;
    std::memcpy(&a, &fast, 4), std::memcpy(&b, &slow, 4);
    ASSERT_EQ(a, b) << std::hex << "bits 0x" << bits;
  };
  for (uint32_t exponent = 0; exponent < 256; ++exponent)
    for (uint32_t low : {0u, 1u, 0xfffu, 0x1000u, 0x1001u, 0x1fffu, 0x2000u, 0x3000u, 0x7fe000u, 0x7ff000u, 0x7fffffu})
      for (uint32_t sign : {0u, 0x80000000u}) check(sign | exponent << 23 | low);
  uint32_t state = 12345;
  for (int i = 0; i < 1000000; ++i) check(state = state * 1664525u + 1013904223u);
}

} // namespace
