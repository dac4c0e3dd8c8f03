// The runtime's thread pool: every item runs exactly once, on any thread count, and runs
// can follow each other.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

extern "C" {
#include "cpu/cpu_cores.h"
#include "cpu/thread_pool.h"
}

namespace {

struct Counts {
  std::vector<std::atomic<int>> hits;
  std::atomic<uint32_t> maxWorker{0};
  explicit Counts(size_t n) : hits(n) {}
};

void hit(void *context, int64_t item, uint32_t worker) {
  auto *counts = static_cast<Counts *>(context);
  counts->hits[item].fetch_add(1);
  uint32_t seen = counts->maxWorker.load();
  while (worker > seen && !counts->maxWorker.compare_exchange_weak(seen, worker)) {
  }
}

TEST(ThreadPoolTest, EveryItemOnceOnAnyThreadCount) {
  for (uint32_t threads : {1u, 2u, 5u}) {
    edge_thread_pool_t *pool = nullptr;
    ASSERT_EQ(edge_thread_pool_create(threads, &pool), nullptr);
    EXPECT_EQ(edge_thread_pool_size(pool), threads);
    for (int64_t count : {0, 1, 7, 1000}) {
      Counts counts(count);
      edge_thread_pool_run(pool, count, hit, &counts);
      for (int64_t i = 0; i < count; ++i) ASSERT_EQ(counts.hits[i].load(), 1) << "item " << i;
      EXPECT_LT(counts.maxWorker.load(), threads);
    }
    edge_thread_pool_release(pool);
  }
  edge_thread_pool_t *pool = nullptr;
  edge_status_t status = edge_thread_pool_create(0, &pool);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);
}

// Pinned workers (to the CPUs this process may use) still run every item once.
TEST(ThreadPoolTest, PinnedWorkersRunEveryItem) {
  edge_thread_pool_t *pool = nullptr;
  ASSERT_EQ(edge_thread_pool_create(3, &pool), nullptr);
  int cores[64];
  uint32_t count = edge_cpu_fast_core_ids(cores, 64);
  ASSERT_GT(count, 0u);
  edge_status_t status = edge_thread_pool_pin(pool, cores, count);
  EXPECT_EQ(status, nullptr) << edge_status_message(status);
  edge_status_free(status);
  Counts counts(500);
  edge_thread_pool_run(pool, 500, hit, &counts);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(counts.hits[i].load(), 1) << "item " << i;
  edge_thread_pool_release(pool);
}

} // namespace
