// Every allocation the LM scheduler makes can fail: for k = 0, 1, 2, ... the k-th
// allocation of a scenario (LM create, two sessions, generation, a fork, more generation)
// fails, and every call must then return RESOURCE_EXHAUSTED (never crash), hand back no
// object, and leave what exists usable (a session the failure finished with an error says
// RESOURCE_EXHAUSTED and resumes): the scenario is finished with allocations working
// again, its results compared with a run that never failed. Built only into
// edgert-asan-tests, whose link routes malloc, calloc, realloc and aligned_alloc through
// the wrappers below (-Wl,--wrap), so LeakSanitizer also checks that nothing leaks.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
#include "memory_weight_source.h"
#include "successor_model.h"
#include "edge/lm.h"
#include "edge/tokenizer.h"

namespace {
// Allocations left before one fails; negative: none fails. Atomic: the LM's worker
// threads may allocate too.
std::atomic<long> gAllocationsBeforeFailure{-1};
std::atomic<bool> gFailed{false};

bool shouldFail() {
  if (gAllocationsBeforeFailure.load() < 0) return false;
  if (gAllocationsBeforeFailure.fetch_sub(1) == 0) {
    gFailed = true;
    return true;
  }
  return false;
}
} // namespace

extern "C" {
void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__wrap_malloc(size_t size) { return shouldFail() ? nullptr : __real_malloc(size); }
void *__wrap_calloc(size_t count, size_t size) { return shouldFail() ? nullptr : __real_calloc(count, size); }
void *__wrap_realloc(void *pointer, size_t size) { return shouldFail() ? nullptr : __real_realloc(pointer, size); }
void *__wrap_aligned_alloc(size_t alignment, size_t size) {
  return shouldFail() ? nullptr : __real_aligned_alloc(alignment, size);
}
}

namespace {

// A failed call's status: RESOURCE_EXHAUSTED, and only while an allocation failed.
::testing::AssertionResult exhausted(edge_status_t status, const char *call) {
  const edge_status_code_t code = edge_status_code(status);
  std::string message = edge_status_message(status);
  edge_status_free(status);
  if (code != EDGE_STATUS_RESOURCE_EXHAUSTED)
    return ::testing::AssertionFailure() << call << " failed with " << edge_status_code_name(code) << ": " << message;
  if (!gFailed) return ::testing::AssertionFailure() << call << " ran out of memory with no allocation failed";
  return ::testing::AssertionSuccess();
}

// Runs `call` (returning a status); on failure checks it, then runs it again with
// allocations working. Returns false when the scenario cannot go on.
template <typename Call> bool attempt(const char *name, Call call) {
  edge_status_t status = call();
  if (!status) return true;
  EXPECT_TRUE(exhausted(status, name));
  const long saved = gAllocationsBeforeFailure.exchange(-1);
  status = call();
  gAllocationsBeforeFailure = saved;
  EXPECT_EQ(status, nullptr) << name << " failed again with allocations working: " << edge_status_message(status);
  edge_status_free(status);
  return status == nullptr;
}

// A session a failed allocation finished with EDGE_LM_FINISH_ERROR (a per-session
// failure, e.g. no memory for its next KV page) must say RESOURCE_EXHAUSTED and go on
// when started again: it is run, allocations working, until it holds `length` tokens.
bool resumeIfFailed(edge_lm_t *lm, edge_lm_session_t *session, uint32_t length) {
  if (edge_lm_session_finish(session) != EDGE_LM_FINISH_ERROR) return true;
  edge_status_t error = edge_lm_session_error(session);
  EXPECT_EQ(edge_status_code(error), EDGE_STATUS_RESOURCE_EXHAUSTED) << edge_status_message(error);
  EXPECT_TRUE(gFailed) << "a session failed with no allocation failed: " << edge_status_message(error);
  const long saved = gAllocationsBeforeFailure.exchange(-1);
  uint32_t count = 0;
  const int32_t *ids = nullptr;
  edge_lm_session_tokens(session, &ids, &count);
  edge_lm_generate_params_t params = {};
  params.max_tokens = length - count;
  edge_status_t status = edge_lm_session_start(session, nullptr, 0, &params);
  for (uint32_t busy = 1; !status && busy;) status = edge_lm_step(lm, &busy);
  gAllocationsBeforeFailure = saved;
  EXPECT_EQ(status, nullptr) << edge_status_message(status);
  edge_status_free(status);
  return status == nullptr && edge_lm_session_finish(session) != EDGE_LM_FINISH_ERROR;
}

struct Outcome {
  std::vector<int32_t> first, second, forked;
  bool complete = false;
};

std::vector<int32_t> tokensOf(edge_lm_session_t *session) {
  const int32_t *ids = nullptr;
  uint32_t count = 0;
  edge_lm_session_tokens(session, &ids, &count);
  return std::vector<int32_t>(ids, ids + count);
}

// The scenario; every object it makes is released before it returns.
Outcome scenario(const edge_model_desc_t &desc, const edge_weights_t *weights) {
  Outcome outcome;
  edge_lm_options_t options = {};
  options.kv.page_tokens = 4;
  options.num_threads = 2;
  edge_lm_t *lm = nullptr;
  edge_lm_session_t *a = nullptr, *b = nullptr, *c = nullptr;
  const int32_t promptA[] = {3, 4, 5}, promptB[] = {9};
  edge_lm_generate_params_t params = {};
  params.max_tokens = 6;
  bool ok = attempt("edge_lm_create", [&] {
    edge_status_t status = edge_lm_create(&desc, weights, &options, &lm);
    EXPECT_TRUE(status == nullptr || lm == nullptr) << "a failed create handed back an LM";
    return status;
  });
  ok = ok && attempt("edge_lm_session_create", [&] {
    edge_status_t status = edge_lm_session_create(lm, &a);
    EXPECT_TRUE(status == nullptr || a == nullptr);
    return status;
  });
  ok = ok && attempt("edge_lm_session_create", [&] { return edge_lm_session_create(lm, &b); });
  ok = ok && attempt("edge_lm_session_start", [&] { return edge_lm_session_start(a, promptA, 3, &params); });
  ok = ok && attempt("edge_lm_session_start", [&] { return edge_lm_session_start(b, promptB, 1, &params); });
  for (uint32_t busy = 1; ok && busy;) ok = attempt("edge_lm_step", [&] { return edge_lm_step(lm, &busy); });
  ok = ok && resumeIfFailed(lm, a, 3 + 6) && resumeIfFailed(lm, b, 1 + 6);
  if (ok) outcome.first = tokensOf(a), outcome.second = tokensOf(b);
  ok = ok && attempt("edge_lm_session_fork", [&] {
    edge_status_t status = edge_lm_session_fork(a, &c);
    EXPECT_TRUE(status == nullptr || c == nullptr);
    return status;
  });
  ok = ok && attempt("edge_lm_generate", [&] { return edge_lm_generate(c, nullptr, 0, &params); });
  ok = ok && resumeIfFailed(lm, c, 3 + 6 + 6);
  if (ok) outcome.forked = tokensOf(c);
  outcome.complete = ok;
  gAllocationsBeforeFailure = -1; // releasing never allocates, but must not be asked to
  edge_lm_session_release(c);
  edge_lm_session_release(b);
  edge_lm_session_release(a);
  edge_lm_release(lm);
  return outcome;
}

TEST(AllocationFailureTest, EveryAllocationOfTheSchedulerCanFail) {
  const std::string path = ::testing::TempDir() + "/alloc_failure_test.weights";
  edge::testing::MemoryWeightSource source;
  std::vector<edge::WeightRecord> records;
  ASSERT_TRUE(static_cast<bool>(edge::writeWeightsFile(path, records, 0, source)));
  edge_weights_t *weights = nullptr;
  ASSERT_EQ(edge_weights_open(path.c_str(), 0, &weights), nullptr);
  const edge_model_desc_t desc = edge::testing::successorModel(weights);
  const Outcome expected = scenario(desc, weights);
  ASSERT_TRUE(expected.complete);
  ASSERT_EQ(expected.forked.size(), expected.first.size() + 6);
  long k = 0;
  for (;; ++k) {
    gFailed = false;
    gAllocationsBeforeFailure = k;
    const Outcome got = scenario(desc, weights);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "with allocation " << k << " of the scenario failing";
      break;
    }
    EXPECT_TRUE(got.complete) << "allocation " << k;
    EXPECT_EQ(got.first, expected.first) << "allocation " << k;
    EXPECT_EQ(got.second, expected.second) << "allocation " << k;
    EXPECT_EQ(got.forked, expected.forked) << "allocation " << k;
    if (!gFailed) break; // the scenario makes fewer than k + 1 allocations: all were tried
  }
  EXPECT_GT(k, 10) << "the scenario should allocate more than this";
  std::printf("allocation failure sweep: %ld allocations, each failed once\n", k);
  edge_weights_release(weights);
}

// Loading a tokenizer: any allocation failing gives RESOURCE_EXHAUSTED and no tokenizer.
TEST(AllocationFailureTest, EveryAllocationOfTokenizerLoadingCanFail) {
  const std::string path = std::string(EDGEC_TOKENIZER_DATA) + "/sentencepiece-small/tokenizer.json";
  long k = 0;
  for (;; ++k) {
    gFailed = false;
    gAllocationsBeforeFailure = k;
    edge_tokenizer_t *tokenizer = nullptr;
    edge_status_t status = edge_tokenizer_open(path.c_str(), &tokenizer);
    gAllocationsBeforeFailure = -1;
    if (!status) {
      ASSERT_NE(tokenizer, nullptr);
      edge_tokenizer_release(tokenizer);
      if (!gFailed) break;
      ADD_FAILURE() << "allocation " << k << " failed, yet the tokenizer loaded";
      break;
    }
    EXPECT_EQ(tokenizer, nullptr) << "allocation " << k;
    EXPECT_TRUE(exhausted(status, "edge_tokenizer_open")) << "allocation " << k;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(k, 10);
  std::printf("tokenizer load: %ld allocations, each failed once\n", k);
}

} // namespace
