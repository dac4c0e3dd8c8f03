// Releasing a handle twice stops the process with the release function's name (the
// liveness mark of runtime/base/handle.h) instead of corrupting the heap. Under
// AddressSanitizer the second release is reported as a use after free before the mark is
// read; either report passes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
#include "edge/kv_cache.h"
#include "edge/lm.h"
#include "edge/tokenizer.h"
#include "memory_weight_source.h"
#include "successor_model.h"

namespace {

// What a second release prints: the runtime's own message, or ASan's.
std::string secondRelease(const char *function) {
  return std::string("(") + function + ": |heap-use-after-free|attempting double-free)";
}

class HandleTest : public ::testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    path = ::testing::TempDir() + "/handle_test." +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".weights";
    edge::testing::MemoryWeightSource source;
    std::vector<edge::WeightRecord> records;
    ASSERT_TRUE(static_cast<bool>(edge::writeWeightsFile(path, records, 0, source)));
    ASSERT_EQ(edge_weights_open(path.c_str(), 0, &weights), nullptr);
  }
  void TearDown() override { edge_weights_release(weights); }

  std::string path;
  edge_weights_t *weights = nullptr;
};

TEST_F(HandleTest, WeightsReleasedTwice) {
  edge_weights_t *other = nullptr;
  ASSERT_EQ(edge_weights_open(path.c_str(), 0, &other), nullptr);
  EXPECT_DEATH(
      {
        edge_weights_release(other);
        edge_weights_release(other);
      },
      secondRelease("edge_weights_release"));
  edge_weights_release(other); // only the child released it
}

TEST_F(HandleTest, LmAndSessionReleasedTwice) {
  edge_model_desc_t desc = edge::testing::successorModel(weights);
  edge_lm_t *lm = nullptr;
  ASSERT_EQ(edge_lm_create(&desc, weights, nullptr, &lm), nullptr);
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  EXPECT_DEATH(
      {
        edge_lm_session_release(session);
        edge_lm_session_release(session);
      },
      secondRelease("edge_lm_session_release"));
  // Releasing the LM releases its sessions: a session released after it is a second release.
  EXPECT_DEATH(
      {
        edge_lm_release(lm);
        edge_lm_session_release(session);
      },
      secondRelease("edge_lm_session_release"));
  EXPECT_DEATH(
      {
        edge_lm_release(lm);
        edge_lm_release(lm);
      },
      secondRelease("edge_lm_release"));
  edge_lm_release(lm);
}

TEST_F(HandleTest, KvPoolAndSequenceReleasedTwice) {
  edge_kv_layout_t layout = {1, 1, 4};
  edge_kv_options_t options = {4, EDGE_DTYPE_F32, 1 << 16, 0, 0};
  edge_kv_pool_t *pool = nullptr;
  ASSERT_EQ(edge_kv_pool_create(&layout, &options, &pool), nullptr);
  edge_kv_seq_t *seq = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &seq), nullptr);
  EXPECT_DEATH(
      {
        edge_kv_seq_release(seq);
        edge_kv_seq_release(seq);
      },
      secondRelease("edge_kv_seq_release"));
  edge_kv_seq_release(seq);
  EXPECT_DEATH(
      {
        edge_kv_pool_release(pool);
        edge_kv_pool_release(pool);
      },
      secondRelease("edge_kv_pool_release"));
  edge_kv_pool_release(pool);
}

TEST_F(HandleTest, TokenizerReleasedTwice) {
  edge_tokenizer_t *tokenizer = nullptr;
  ASSERT_EQ(edge_tokenizer_open(EDGEC_TOKENIZER_DATA "/sentencepiece-small/tokenizer.json", &tokenizer), nullptr);
  EXPECT_DEATH(
      {
        edge_tokenizer_release(tokenizer);
        edge_tokenizer_release(tokenizer);
      },
      secondRelease("edge_tokenizer_release"));
  edge_tokenizer_release(tokenizer);
}

TEST(HandleMarkTest, ReleaseOfNullIsANoOp) {
  edge_weights_release(nullptr);
  edge_lm_release(nullptr);
  edge_lm_session_release(nullptr);
  edge_kv_pool_release(nullptr);
  edge_kv_seq_release(nullptr);
  edge_tokenizer_release(nullptr);
  edge_graph_release(nullptr);
}

} // namespace
