// NAME.weights: the compiler's writer and the runtime's validating reader, round trip and
// every kind of damage a file can carry.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

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
  EXPECT_NE(message.find("version 9, expected 1"), std::string::npos) << message;
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
  edge_weights_header_t header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  header.data_size = UINT64_MAX - 8; // would wrap an unchecked offset + size
  std::memcpy(bytes.data(), &header, sizeof(header));
  write(bytes);
  EXPECT_EQ(open(), EDGE_STATUS_DATA_LOSS);
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
TEST(WeightsPackingTest, QuantizedRows) {
  const int64_t k = 64, n = 3;
  std::vector<float> kn(k * n), row(k);
  for (int64_t i = 0; i < k * n; ++i) kn[i] = 0.01f * static_cast<float>((i * 37) % 101) - 0.5f;
  for (uint32_t dtype : {EDGE_DTYPE_Q8_0, EDGE_DTYPE_Q4_0, EDGE_DTYPE_Q4_1}) {
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
    EXPECT_LT(records[0].measured.relRmse, dtype == EDGE_DTYPE_Q8_0 ? 0.01 : 0.1);
    edge_weights_t *weights = nullptr;
    ASSERT_EQ(edge_weights_open(path.c_str(), EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights), nullptr);
    const void *data;
    uint64_t size;
    ASSERT_EQ(edge_weights_tensor_get(weights, 0, nullptr, nullptr, &data, &size), nullptr);
    const uint64_t rowBytes = k / 32 * edge_weights_block_bytes(dtype, 32);
    ASSERT_EQ(size, n * rowBytes);
    std::vector<uint8_t> expected(rowBytes);
    for (int64_t c = 0; c < n; ++c) {
      for (int64_t j = 0; j < k; ++j) row[j] = kn[j * n + c];
      edge_quantize_row(dtype, row.data(), k, 32, expected.data());
      EXPECT_EQ(std::memcmp(static_cast<const uint8_t *>(data) + c * rowBytes, expected.data(), rowBytes), 0)
          << "dtype " << dtype << " row " << c;
    }
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
}

} // namespace
