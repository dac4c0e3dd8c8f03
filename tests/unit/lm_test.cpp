// The LM scheduler against a stand-in model whose next token is (last token + 1) % vocab
// (successor_model.h):
// generation, stop ids, context overflow, KV exhaustion that leaves the session usable,
// cancellation from another thread, the logits callback, and seeded sampling.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
#include "memory_weight_source.h"
#include "successor_model.h"
#include "edge/lm.h"
#include "sample/sampling.h"

namespace {

constexpr int64_t kVocab = edge::testing::kSuccessorVocab;

struct StatusDeleter {
  void operator()(edge_status_s *status) const { edge_status_free(status); }
};
using Status = std::unique_ptr<edge_status_s, StatusDeleter>;

class LmTest : public ::testing::Test {
protected:
  void SetUp() override {
    // One file per test: ctest runs the tests of this fixture in parallel processes.
    std::string path = ::testing::TempDir() + "/lm_test." +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".weights";
    // No tensors: an empty but valid file.
    edge::testing::MemoryWeightSource source;
    std::vector<edge::WeightRecord> records;
    ASSERT_TRUE(static_cast<bool>(edge::writeWeightsFile(path, records, 0, source)));
    ASSERT_EQ(edge_weights_open(path.c_str(), 0, &weights), nullptr);
    desc = edge::testing::successorModel(weights);
  }
  void TearDown() override {
    edge_lm_release(lm);
    edge_weights_release(weights);
  }
  void create(uint32_t maxContext = 0, uint64_t budget = 0, uint32_t prefillChunk = 0) {
    edge_lm_options_t options = {};
    options.max_context = maxContext;
    options.prefill_chunk = prefillChunk;
    options.kv.page_tokens = 4;
    options.kv.budget_bytes = budget;
    ASSERT_EQ(edge_lm_create(&desc, weights, &options, &lm), nullptr);
  }
  std::vector<int32_t> tokens(edge_lm_session_t *session) {
    const int32_t *ids = nullptr;
    uint32_t count = 0;
    edge_lm_session_tokens(session, &ids, &count);
    return std::vector<int32_t>(ids, ids + count);
  }

  edge_weights_t *weights = nullptr;
  edge_model_desc_t desc{};
  edge_lm_t *lm = nullptr;
};

TEST_F(LmTest, GeneratesAndStops) {
  create();
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  int32_t prompt[] = {3};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 5;
  ASSERT_EQ(edge_lm_generate(session, prompt, 1, &params), nullptr);
  EXPECT_EQ(tokens(session), (std::vector<int32_t>{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(edge_lm_session_finish(session), EDGE_LM_FINISH_LENGTH);

  int32_t stop = 11;
  params.stop_ids = &stop;
  params.num_stop_ids = 1;
  ASSERT_EQ(edge_lm_generate(session, nullptr, 0, &params), nullptr); // continue after 8
  EXPECT_EQ(tokens(session).back(), 11);
  EXPECT_EQ(tokens(session).size(), 9u);
  EXPECT_EQ(edge_lm_session_finish(session), EDGE_LM_FINISH_STOP);
  edge_lm_stats_t stats;
  edge_lm_session_stats(session, &stats);
  EXPECT_EQ(stats.generated_tokens, 3u);
  EXPECT_EQ(stats.kv_pages, 2u) << "8 of 9 tokens cached, 4 per page";
}

// edge_lm_score: the log-probability of every next token and the top-1 prediction, over
// chunks (of 2 here); a bad call changes nothing.
TEST_F(LmTest, ScoresEveryNextTokenAndFailsCleanly) {
  create(/*maxContext=*/8, 0, /*prefillChunk=*/2);
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  const int32_t text[] = {3, 4, 5, 9, 10};
  float logprobs[4];
  int32_t top[4];
  ASSERT_EQ(edge_lm_score(session, text, 5, logprobs, top), nullptr);
  const double likely = 10.0 - std::log(std::exp(10.0) + (kVocab - 1)), unlikely = likely - 10.0;
  const double expected[4] = {likely, likely, unlikely, likely}; // 9 does not follow 5
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(logprobs[i], expected[i], 1e-4) << i;
  EXPECT_EQ(std::vector<int32_t>(top, top + 4), (std::vector<int32_t>{4, 5, 6, 10}));
  EXPECT_EQ(tokens(session).size(), 5u);

  const int32_t bad[] = {1, kVocab};
  Status status(edge_lm_score(session, bad, 2, logprobs, top));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  const int32_t more[] = {1, 2, 3, 4};
  status.reset(edge_lm_score(session, more, 4, logprobs, nullptr));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT) << "5 + 4 tokens exceed max_context 8";
  EXPECT_EQ(tokens(session).size(), 5u);
  ASSERT_EQ(edge_lm_score(session, more, 3, logprobs, nullptr), nullptr);
  EXPECT_EQ(tokens(session).size(), 8u);
}

TEST_F(LmTest, ContextOverflowNamesTheLengthsAndChangesNothing) {
  create(/*maxContext=*/8);
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  int32_t prompt[] = {1, 2, 3, 4, 5};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 4;
  Status status(edge_lm_session_start(session, prompt, 5, &params));
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status.get()),
               "context overflow: 0 session tokens + 5 prompt tokens + 4 max_tokens = 9 exceeds max_context 8");
  EXPECT_TRUE(tokens(session).empty());
  params.max_tokens = 3;
  ASSERT_EQ(edge_lm_generate(session, prompt, 5, &params), nullptr);
  EXPECT_EQ(tokens(session).size(), 8u);
  int32_t bad = kVocab;
  status.reset(edge_lm_session_start(session, &bad, 1, &params));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
}

TEST_F(LmTest, TheModelsPositionTablesBoundTheContext) {
  edge_lm_desc_t bounded = *desc.lm;
  bounded.max_positions = 6;
  desc.lm = &bounded;
  edge_lm_options_t options = {};
  options.max_context = 8;
  Status status(edge_lm_create(&desc, weights, &options, &lm));
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status.get()), "max_context 8 exceeds the 6 positions model 'successor' holds");
  EXPECT_EQ(lm, nullptr);

  create(); // max_context defaults to the model's 6 positions
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  int32_t prompt[] = {1, 2, 3, 4, 5};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 2;
  status.reset(edge_lm_session_start(session, prompt, 5, &params));
  ASSERT_NE(status, nullptr);
  EXPECT_STREQ(edge_status_message(status.get()), "context overflow: 0 session tokens + 5 prompt tokens + 2 "
                                                  "max_tokens = 7 exceeds max_context 6 (the positions of the model)");
  params.max_tokens = 1;
  ASSERT_EQ(edge_lm_generate(session, prompt, 5, &params), nullptr);
  EXPECT_EQ(tokens(session).size(), 6u);
  float logprob = 0;
  status.reset(edge_lm_score(session, prompt, 1, &logprob, nullptr));
  ASSERT_NE(status, nullptr);
  EXPECT_STREQ(edge_status_message(status.get()),
               "edge_lm_score: 6 session tokens + 1 tokens exceed max_context 6 (the positions of the model)");
}

TEST_F(LmTest, ExhaustedKvIsASessionErrorAndTheSessionResumes) {
  // One layer, one KV head, head_dim 4, 4 tokens a page, f32: 128 bytes; room for 3 pages.
  create(0, 3 * 128);
  edge_lm_session_t *a = nullptr, *b = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &a), nullptr);
  ASSERT_EQ(edge_lm_session_create(lm, &b), nullptr);
  int32_t prompt[] = {0, 1, 2, 3, 4, 5, 6};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 1;
  ASSERT_EQ(edge_lm_generate(a, prompt, 7, &params), nullptr); // 7 tokens cached: 2 pages
  Status status(edge_lm_generate(b, prompt, 7, &params));
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(edge_lm_session_finish(b), EDGE_LM_FINISH_ERROR);
  EXPECT_EQ(edge_status_code(edge_lm_session_error(b)), EDGE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(tokens(b).size(), 7u) << "the prompt is kept, waiting for pages";
  edge_lm_session_release(a);
  ASSERT_EQ(edge_lm_generate(b, nullptr, 0, &params), nullptr) << "resumes once pages are free";
  EXPECT_EQ(tokens(b).back(), 7);
}

TEST_F(LmTest, CancelFromAnotherThread) {
  create(/*maxContext=*/1 << 20, 64ull << 20);
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  std::atomic<int> seen{0};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 1 << 19;
  params.user = &seen;
  params.on_token = [](void *user, edge_lm_session_t *, int32_t) {
    static_cast<std::atomic<int> *>(user)->fetch_add(1);
    return 0;
  };
  int32_t prompt[] = {0};
  std::thread canceller([&] {
    while (seen.load() < 100) std::this_thread::yield();
    edge_lm_session_cancel(session);
  });
  ASSERT_EQ(edge_lm_generate(session, prompt, 1, &params), nullptr);
  canceller.join();
  EXPECT_EQ(edge_lm_session_finish(session), EDGE_LM_FINISH_CANCELLED);
  EXPECT_GE(tokens(session).size(), 101u);
  EXPECT_LT(tokens(session).size(), 1u << 19);
}

// on_logits sees the session's logits and may change them: banning the token the model
// prefers makes greedy decoding take the next best (the lowest id of the rest, all 0).
TEST_F(LmTest, LogitsCallbackBansAToken) {
  create();
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  struct Ban {
    int32_t banned;
    uint32_t vocab;
    std::vector<int32_t> preferred; // the model's favourite in each row it was shown
  } ban = {5, 0, {}};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 5;
  params.logits_user = &ban;
  params.on_logits = [](void *user, edge_lm_session_t *, float *logits, uint32_t vocab) -> int32_t {
    auto *b = static_cast<Ban *>(user);
    b->preferred.push_back(static_cast<int32_t>(std::max_element(logits, logits + vocab) - logits));
    b->vocab = vocab;
    logits[b->banned] = -INFINITY;
    return EDGE_LM_SAMPLE;
  };
  int32_t prompt[] = {3};
  ASSERT_EQ(edge_lm_generate(session, prompt, 1, &params), nullptr);
  EXPECT_EQ(tokens(session), (std::vector<int32_t>{3, 4, 0, 1, 2, 3})) << "5 never comes; 0 follows 4";
  EXPECT_EQ(ban.preferred, (std::vector<int32_t>{4, 5, 1, 2, 3})) << "the model's own logits, before the ban";
  EXPECT_EQ(ban.vocab, static_cast<uint32_t>(kVocab));
}

// on_logits picks the tokens itself: the forced ones go into the session and the model
// continues from them (the successor of the last forced token).
TEST_F(LmTest, LogitsCallbackForcesASequence) {
  create();
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  struct Forced {
    std::vector<int32_t> ids;
    size_t next;
  } forced = {{9, 2, 14}, 0};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 5;
  params.logits_user = &forced;
  params.on_logits = [](void *user, edge_lm_session_t *, float *, uint32_t) -> int32_t {
    auto *f = static_cast<Forced *>(user);
    return f->next < f->ids.size() ? f->ids[f->next++] : EDGE_LM_SAMPLE;
  };
  int32_t prompt[] = {3};
  ASSERT_EQ(edge_lm_generate(session, prompt, 1, &params), nullptr);
  EXPECT_EQ(tokens(session), (std::vector<int32_t>{3, 9, 2, 14, 15, 0}));
  EXPECT_EQ(edge_lm_session_finish(session), EDGE_LM_FINISH_LENGTH);
}

// A callback's answer that is no token finishes the session with an error naming it; the
// session stays usable, and without the callback generates as before.
TEST_F(LmTest, LogitsCallbackOutsideTheVocabularyIsASessionError) {
  create();
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  edge_lm_generate_params_t params = {};
  params.max_tokens = 3;
  params.on_logits = [](void *, edge_lm_session_t *, float *, uint32_t vocab) -> int32_t {
    return static_cast<int32_t>(vocab);
  };
  int32_t prompt[] = {3};
  Status status(edge_lm_generate(session, prompt, 1, &params));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(edge_status_message(status.get()), "on_logits returned 16"), nullptr)
      << edge_status_message(status.get());
  EXPECT_EQ(edge_lm_session_finish(session), EDGE_LM_FINISH_ERROR);
  EXPECT_EQ(tokens(session), (std::vector<int32_t>{3}));
  params.on_logits = nullptr;
  ASSERT_EQ(edge_lm_generate(session, nullptr, 0, &params), nullptr);
  EXPECT_EQ(tokens(session), (std::vector<int32_t>{3, 4, 5, 6}));
}

TEST(SamplingTest, GreedyTopKAndSeeds) {
  std::vector<float> scratch(3 * 8);
  const float base[8] = {0.1f, 2.0f, 1.9f, -1.f, 2.0f, 0.f, 0.5f, 1.f};
  auto sample = [&](edge_sampling_t s, uint64_t *rng, const int32_t *history = nullptr, uint32_t n = 0) {
    float logits[8];
    std::memcpy(logits, base, sizeof(logits));
    return edge_sample(logits, 8, &s, history, n, rng, scratch.data());
  };
  uint64_t rng = 1;
  EXPECT_EQ(sample({}, &rng), 1) << "greedy: the lowest id among equal maxima";
  edge_sampling_t topOne = {1.0f, 1, 0, 0, 0};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(sample(topOne, &rng), 1) << "top_k 1 is greedy";
  int32_t history[] = {1, 4};
  edge_sampling_t penalty = {0, 0, 0, 2.0f, 0};
  EXPECT_EQ(sample(penalty, &rng, history, 2), 2) << "repetition penalty demotes seen tokens";

  edge_sampling_t warm = {0.8f, 0, 0.9f, 0, 42};
  std::vector<int32_t> first, second;
  uint64_t a = 42, b = 42;
  for (int i = 0; i < 50; ++i) first.push_back(sample(warm, &a));
  for (int i = 0; i < 50; ++i) second.push_back(sample(warm, &b));
  EXPECT_EQ(first, second) << "the same seed gives the same tokens";
  std::vector<int> counts(8);
  for (int32_t id : first) ++counts[id];
  EXPECT_EQ(counts[3], 0) << "top_p 0.9 cuts the unlikely tail";
  EXPECT_GT(counts[1] + counts[2] + counts[4], 25);
}

} // namespace
