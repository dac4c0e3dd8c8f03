// edge_set_allocator: with a counting allocator installed, the runtime's and the tokenizer
// library's allocations all go through it (from the LM's worker threads too), and every
// block is freed once the objects are released.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
#include "edge/lm.h"
#include "edge/tokenizer.h"
#include "memory_weight_source.h"
#include "successor_model.h"

namespace {

// Every block the runtime holds, with its size; the LM's worker threads allocate too.
struct CountingAllocator {
  std::mutex lock;
  std::map<void *, size_t> live;
  size_t allocations = 0, aligned = 0, bytes = 0;

  void *track(void *pointer, size_t size) {
    if (!pointer) return nullptr;
    std::lock_guard<std::mutex> guard(lock);
    live[pointer] = size;
    ++allocations;
    bytes += size;
    return pointer;
  }
  static void *alloc(void *user, size_t size) { return static_cast<CountingAllocator *>(user)->track(std::malloc(size), size); }
  static void *realloc(void *user, void *pointer, size_t size) {
    auto *self = static_cast<CountingAllocator *>(user);
    {
      std::lock_guard<std::mutex> guard(self->lock);
      if (!self->live.count(pointer)) ADD_FAILURE() << "realloc of a block this allocator never gave";
      self->live.erase(pointer);
    }
    void *grown = std::realloc(pointer, size);
    if (!grown) return self->track(pointer, 0); // the old block stays live
    return self->track(grown, size);
  }
  static void free(void *user, void *pointer) {
    auto *self = static_cast<CountingAllocator *>(user);
    std::lock_guard<std::mutex> guard(self->lock);
    if (!self->live.erase(pointer)) ADD_FAILURE() << "free of a block this allocator never gave";
    std::free(pointer);
  }
  static void *alignedAlloc(void *user, size_t alignment, size_t size) {
    auto *self = static_cast<CountingAllocator *>(user);
    void *pointer = std::aligned_alloc(alignment, size);
    if (pointer && reinterpret_cast<uintptr_t>(pointer) % alignment) ADD_FAILURE() << "misaligned";
    {
      std::lock_guard<std::mutex> guard(self->lock);
      ++self->aligned;
    }
    return self->track(pointer, size);
  }
  edge_allocator_t table() { return {alloc, realloc, free, alignedAlloc, this}; }
};

TEST(AllocatorTest, EveryAllocationGoesThroughTheAppsAllocatorAndIsFreed) {
  // The weights file first, with the compiler's own allocations (not the runtime's).
  const std::string path = ::testing::TempDir() + "/allocator_test.weights";
  edge::testing::MemoryWeightSource source;
  std::vector<edge::WeightRecord> records;
  ASSERT_TRUE(static_cast<bool>(edge::writeWeightsFile(path, records, 0, source)));

  CountingAllocator counting;
  edge_allocator_t table = counting.table();
  ASSERT_EQ(edge_set_allocator(&table), nullptr);

  // An LM generating on two worker threads.
  edge_weights_t *weights = nullptr;
  ASSERT_EQ(edge_weights_open(path.c_str(), 0, &weights), nullptr);
  edge_model_desc_t desc = edge::testing::successorModel(weights);
  edge_lm_options_t options = {};
  options.num_threads = 2;
  edge_lm_t *lm = nullptr;
  ASSERT_EQ(edge_lm_create(&desc, weights, &options, &lm), nullptr);
  edge_lm_session_t *session = nullptr;
  ASSERT_EQ(edge_lm_session_create(lm, &session), nullptr);
  edge_lm_generate_params_t params = {};
  params.max_tokens = 8;
  int32_t prompt[] = {1, 2, 3};
  ASSERT_EQ(edge_lm_generate(session, prompt, 3, &params), nullptr);
  const size_t afterLm = counting.allocations;
  EXPECT_GT(afterLm, 5u);

  // The tokenizer library: a tokenizer, its buffers, a detokenizer, a stop filter, a
  // chat template; a status.
  edge_tokenizer_t *tokenizer = nullptr;
  ASSERT_EQ(edge_tokenizer_open(EDGEC_TOKENIZER_DATA "/sentencepiece-small/tokenizer.json", &tokenizer), nullptr);
  int32_t *ids = nullptr;
  uint32_t count = 0;
  ASSERT_EQ(edge_tokenizer_encode(tokenizer, "the copy", 8, 1, &ids, &count), nullptr);
  char *text = nullptr;
  ASSERT_EQ(edge_tokenizer_decode(tokenizer, ids, count, &text, nullptr), nullptr);
  edge_detokenizer_t *detokenizer = nullptr;
  ASSERT_EQ(edge_detokenizer_create(tokenizer, 0, &detokenizer), nullptr);
  const char *piece = nullptr;
  size_t size = 0;
  ASSERT_EQ(edge_detokenizer_push(detokenizer, ids[count - 1], &piece, &size), nullptr);
  const char *stops[] = {"stop"};
  edge_stop_filter_t *filter = nullptr;
  ASSERT_EQ(edge_stop_filter_create(stops, 1, &filter), nullptr);
  edge_chat_template_t *chat = nullptr;
  ASSERT_EQ(edge_chat_template_create(EDGE_CHAT_FORMAT_CHATML, nullptr, nullptr, &chat), nullptr);
  edge_tokenizer_t *missing = nullptr;
  edge_status_t status = edge_tokenizer_open("/nonexistent.json", &missing);
  ASSERT_NE(status, nullptr);
  EXPECT_GT(counting.allocations, afterLm + 5);
  EXPECT_GT(counting.aligned, 0u) << "the thread pool's shares are aligned";

  edge_status_free(status);
  edge_chat_template_release(chat);
  edge_stop_filter_release(filter);
  edge_detokenizer_release(detokenizer);
  edge_free(text);
  edge_free(ids);
  edge_tokenizer_release(tokenizer);
  edge_lm_session_release(session);
  edge_lm_release(lm);
  edge_weights_release(weights);
  EXPECT_TRUE(counting.live.empty()) << counting.live.size() << " blocks still live";
  EXPECT_GT(counting.bytes, 0u);
  ASSERT_EQ(edge_set_allocator(nullptr), nullptr) << "back to the C library's";
}

TEST(AllocatorTest, AnIncompleteAllocatorIsRefused) {
  edge_allocator_t table = {};
  table.alloc = [](void *, size_t size) { return std::malloc(size); };
  edge_status_t status = edge_set_allocator(&table);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);
}

} // namespace
