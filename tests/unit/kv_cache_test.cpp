// The paged KV cache: memory grows page by page, forks share their prefix pages, closing
// returns pages, and an exhausted pool is a status that leaves the sequence usable.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "edge/kv_cache.h"
#include "kv/kv_internal.h"

namespace {

struct StatusDeleter {
  void operator()(edge_status_s *status) const { edge_status_free(status); }
};
using Status = std::unique_ptr<edge_status_s, StatusDeleter>;

class KvCacheTest : public ::testing::Test {
protected:
  // 2 layers x 2 KV heads x head_dim 4, 4 positions per page, f32: 512 bytes a page.
  void makePool(uint32_t pages, uint32_t window = 0, uint32_t dtype = EDGE_DTYPE_F32) {
    edge_kv_layout_t layout = {2, 2, 4};
    size_t element = dtype == EDGE_DTYPE_F16 ? 2 : 4;
    edge_kv_options_t options = {4, dtype, pages * 2ull * 2 * 2 * 4 * 4 * element, window, 0};
    ASSERT_EQ(edge_kv_pool_create(&layout, &options, &pool), nullptr);
  }
  void TearDown() override { edge_kv_pool_release(pool); }

  uint32_t used() const {
    edge_kv_pool_stats_t stats;
    edge_kv_pool_stats(pool, &stats);
    return stats.pages_used;
  }
  // Writes `count` positions whose K/V elements encode (tag, position).
  void append(edge_kv_seq_t *seq, int64_t count, float tag) {
    ASSERT_EQ(edge_kv_seq_reserve(seq, count), nullptr);
    int64_t start = edge_kv_seq_length(seq);
    for (int64_t p = start; p < start + count; ++p)
      for (uint32_t layer = 0; layer < 2; ++layer)
        for (uint32_t kv = 0; kv < 2; ++kv)
          for (uint32_t head = 0; head < 2; ++head) {
            auto *slot = static_cast<float *>(edge_kv_seq_slot(seq, layer, kv, head, p));
            ASSERT_NE(slot, nullptr);
            for (int d = 0; d < 4; ++d) slot[d] = tag * 1000 + p;
          }
    ASSERT_EQ(edge_kv_seq_commit(seq, count), nullptr);
  }
  float read(edge_kv_seq_t *seq, int64_t position) {
    auto *slot = static_cast<float *>(edge_kv_seq_slot(seq, 1, 1, 1, position));
    return slot ? slot[3] : -1.f;
  }

  edge_kv_pool_t *pool = nullptr;
};

TEST_F(KvCacheTest, GrowsPageByPage) {
  makePool(8);
  edge_kv_seq_t *seq = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &seq), nullptr);
  EXPECT_EQ(used(), 0u);
  for (int64_t n = 1; n <= 12; ++n) {
    append(seq, 1, 1);
    EXPECT_EQ(used(), static_cast<uint32_t>((n + 3) / 4)) << "after " << n << " positions";
  }
  EXPECT_EQ(edge_kv_seq_length(seq), 12);
  for (int64_t p = 0; p < 12; ++p) EXPECT_EQ(read(seq, p), 1000 + p);
  EXPECT_EQ(edge_kv_seq_slot(seq, 0, 0, 0, 12), nullptr) << "no page past the end";
  edge_kv_seq_release(seq);
  EXPECT_EQ(used(), 0u) << "closing returns every page";
}

TEST_F(KvCacheTest, ForkSharesPrefixAndCopiesOnWrite) {
  makePool(8);
  edge_kv_seq_t *parent = nullptr, *child = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &parent), nullptr);
  append(parent, 6, 1); // a full page and half of another
  ASSERT_EQ(edge_kv_seq_fork(parent, &child), nullptr);
  EXPECT_EQ(used(), 2u) << "a fork allocates nothing: shared pages count once";
  EXPECT_EQ(edge_kv_seq_page_count(child), 2u);

  append(child, 1, 2); // writes into the shared half page: the child copies it
  EXPECT_EQ(used(), 3u);
  append(parent, 1, 3); // the parent's half page is its own again: no copy
  EXPECT_EQ(used(), 3u);
  for (int64_t p = 0; p < 6; ++p) {
    EXPECT_EQ(read(child, p), 1000 + p);
    EXPECT_EQ(read(parent, p), 1000 + p);
  }
  EXPECT_EQ(read(child, 6), 2006);
  EXPECT_EQ(read(parent, 6), 3006);

  edge_kv_seq_release(parent);
  EXPECT_EQ(used(), 2u) << "the full prefix page stays, held by the child";
  edge_kv_seq_release(child);
  EXPECT_EQ(used(), 0u);
}

TEST_F(KvCacheTest, ExhaustedPoolIsAStatusAndChangesNothing) {
  makePool(3);
  edge_kv_seq_t *a = nullptr, *b = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &a), nullptr);
  ASSERT_EQ(edge_kv_seq_create(pool, &b), nullptr);
  append(a, 8, 1); // two pages
  Status status(edge_kv_seq_reserve(b, 5)); // needs two, one is free
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_NE(std::strstr(edge_status_message(status.get()), "2 more pages needed, 1 of 3 free"), nullptr)
      << edge_status_message(status.get());
  EXPECT_EQ(used(), 2u) << "the failed reserve took no page";
  EXPECT_EQ(edge_kv_seq_length(b), 0);
  append(b, 4, 2); // still usable within what is left
  EXPECT_EQ(read(b, 3), 2003);
  edge_kv_seq_release(a);
  append(b, 5, 2); // and once pages come back, it grows again
  EXPECT_EQ(read(b, 8), 2008);
  edge_kv_seq_release(b);
  EXPECT_EQ(used(), 0u);
}

TEST_F(KvCacheTest, SlidingWindowReturnsPagesNoQueryCanSee) {
  makePool(4, /*window=*/6);
  edge_kv_seq_t *seq = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &seq), nullptr);
  for (int i = 0; i < 40; ++i) append(seq, 1, 1); // 10 pages' worth through a 4-page pool
  EXPECT_LE(used(), 3u);
  EXPECT_EQ(edge_kv_seq_window_start(seq, 40), 35);
  for (int64_t p = 35; p < 40; ++p) EXPECT_EQ(read(seq, p), 1000 + p);
  EXPECT_EQ(edge_kv_seq_slot(seq, 0, 0, 0, 3), nullptr) << "evicted";
  edge_kv_seq_release(seq);
  EXPECT_EQ(used(), 0u);
}

// Rows of smaller dtypes: f16 is head_dim x 2 bytes; int8 an f32 scale then head_dim bytes.
// 2 layers x 2 x 2 KV heads x 4 positions of rows a page.
TEST_F(KvCacheTest, SmallerDtypesShrinkRowsAndPages) {
  const struct {
    uint32_t dtype;
    size_t rowBytes;
  } cases[] = {{EDGE_DTYPE_F16, 8}, {EDGE_DTYPE_I8, EDGE_KV_INT8_ROW_BYTES(4)}};
  for (const auto &c : cases) {
    edge_kv_layout_t layout = {2, 2, 4};
    edge_kv_options_t options = {4, c.dtype, 2 * 32 * c.rowBytes, 0, 0};
    edge_kv_pool_t *small = nullptr;
    ASSERT_EQ(edge_kv_pool_create(&layout, &options, &small), nullptr);
    edge_kv_pool_stats_t stats;
    edge_kv_pool_stats(small, &stats);
    EXPECT_EQ(stats.page_bytes, 32 * c.rowBytes) << c.dtype;
    EXPECT_EQ(stats.pages_total, 2u);
    edge_kv_seq_t *seq = nullptr;
    ASSERT_EQ(edge_kv_seq_create(small, &seq), nullptr);
    ASSERT_EQ(edge_kv_seq_reserve(seq, 5), nullptr);
    EXPECT_EQ(edge_kv_seq_row_bytes(seq), c.rowBytes);
    auto *a = static_cast<char *>(edge_kv_seq_slot(seq, 0, 0, 0, 0));
    auto *b = static_cast<char *>(edge_kv_seq_slot(seq, 0, 0, 0, 1));
    EXPECT_EQ(static_cast<size_t>(b - a), c.rowBytes) << c.dtype;
    edge_kv_seq_release(seq);
    edge_kv_pool_release(small);
  }
}

TEST_F(KvCacheTest, RejectsBadOptions) {
  edge_kv_layout_t layout = {2, 0, 4};
  edge_kv_pool_t *p = nullptr;
  Status status(edge_kv_pool_create(&layout, nullptr, &p));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  layout.num_kv_heads = 2;
  edge_kv_options_t tiny = {4, EDGE_DTYPE_F32, 100, 0, 0};
  status.reset(edge_kv_pool_create(&layout, &tiny, &p));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(p, nullptr);
}

// Pools over caller memory (a device buffer's mapping): pages carved from it in order,
// the page table as the kernels see it, and the memory left to the caller on release.
TEST_F(KvCacheTest, PoolInCallerMemoryHandsOutItsPagesAndPageTables) {
  edge_kv_layout_t layout = {2, 2, 4};
  edge_kv_options_t options = {4, EDGE_DTYPE_F32, 0, 0, 0};
  uint64_t page_bytes = 0;
  ASSERT_EQ(edge_kv_page_bytes(&layout, &options, &page_bytes), nullptr);
  EXPECT_EQ(page_bytes, 512u);
  std::vector<float> memory(3 * 512 / sizeof(float) + 7); // three pages and a partial one
  ASSERT_EQ(edge_kv_pool_create_in(&layout, &options, memory.data(), memory.size() * sizeof(float), &pool), nullptr);
  EXPECT_EQ(edge_kv_pool_memory(pool), memory.data());
  edge_kv_pool_stats_t stats;
  edge_kv_pool_stats(pool, &stats);
  EXPECT_EQ(stats.pages_total, 3u);

  edge_kv_seq_t *seq = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &seq), nullptr);
  append(seq, 6, 1.0f);
  uint32_t entries = 0;
  const int32_t *pages = edge_kv_seq_pages(seq, &entries);
  ASSERT_EQ(entries, 2u);
  EXPECT_EQ(pages[0], 0);
  EXPECT_EQ(pages[1], 1);
  // Position 5 of layer 1's values, head 1: row ((1 * 2 + 1) * 2 + 1) * 4 + 1 of page 1.
  auto *slot = static_cast<float *>(edge_kv_seq_slot(seq, 1, 1, 1, 5));
  EXPECT_EQ(slot, memory.data() + 512 / sizeof(float) + (((1 * 2 + 1) * 2 + 1) * 4 + 1) * 4);
  Status full(edge_kv_seq_reserve(seq, 8)); // 14 positions need 4 pages
  EXPECT_EQ(edge_status_code(full.get()), EDGE_STATUS_RESOURCE_EXHAUSTED);
  edge_kv_seq_release(seq);
  edge_kv_pool_release(pool); // the memory is the caller's: still usable below
  pool = nullptr;
  memory[0] = 1.0f;

  Status none(edge_kv_pool_create_in(&layout, &options, memory.data(), 100, &pool));
  EXPECT_EQ(edge_status_code(none.get()), EDGE_STATUS_RESOURCE_EXHAUSTED);
  none.reset(edge_kv_pool_create_in(&layout, &options, nullptr, 4096, &pool));
  EXPECT_EQ(edge_status_code(none.get()), EDGE_STATUS_INVALID_ARGUMENT);
}

} // namespace
