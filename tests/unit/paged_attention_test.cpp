// The paged attention kernel against a naive causal attention over contiguous K/V: two
// sequences in one batch, grouped-query heads, pages smaller than a prompt, f32, f16 and int8
// pages, and a sliding window that evicts pages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

extern "C" {
#include "abi/attention_batch.h"
}

struct MemrefI8 {
  int8_t *base, *aligned;
  int64_t offset, sizes[1], strides[1];
};
struct Memref4 {
  float *base, *aligned;
  int64_t offset, sizes[4], strides[4];
};
extern "C" void edge_cpu_paged_attention(void *, void *, void *, void *, void *, void *, int64_t,
                                                     float);

namespace {

constexpr int64_t kHeads = 4, kKVHeads = 2, kDim = 8;

Memref4 view(std::vector<float> &data, int64_t heads, int64_t tokens) { // [1, heads, tokens, dim]
  return {data.data(), data.data(), 0, {1, heads, tokens, kDim}, {heads * tokens * kDim, tokens * kDim, kDim, 1}};
}

struct Case {
  uint32_t dtype, window;
  float tolerance;
  // >= 0: the kernel keeps its scratch in an edge_attention_scratch_t of this max_span
  // (as the CPU backend's LM steps do); -1: it allocates scratch for each call.
  int64_t scratchSpan = -1;
};

class PagedAttentionTest : public ::testing::TestWithParam<Case> {};

// Feeds two sequences token chunks step by step and compares every output with attention
// computed from all keys and values kept aside.
TEST_P(PagedAttentionTest, MatchesNaiveAttention) {
  const Case c = GetParam();
  edge_kv_layout_t layout = {2, kKVHeads, kDim};
  edge_kv_options_t options = {4, c.dtype, 1 << 20, c.window, 0};
  edge_kv_pool_t *pool = nullptr;
  ASSERT_EQ(edge_kv_pool_create(&layout, &options, &pool), nullptr);
  edge_kv_seq_t *seqs[2] = {};
  for (auto &s : seqs) ASSERT_EQ(edge_kv_seq_create(pool, &s), nullptr);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  // all[seq][kind][position][kv_head][d]: every key and value ever written.
  std::vector<std::vector<float>> all[2][2];
  const int64_t chunks[][2] = {{5, 1}, {1, 6}, {1, 1}, {3, 1}, {1, 1}, {1, 2}};
  const uint32_t layer = 1;
  const float scale = 0.35f;
  edge_attention_scratch_t scratch = {nullptr, 0, c.scratchSpan};
  size_t firstScratchFloats = 0;
  for (const auto &chunk : chunks) {
    int64_t tokens = chunk[0] + chunk[1];
    std::vector<int32_t> tokenSeq;
    std::vector<int64_t> tokenPos;
    for (int s = 0; s < 2; ++s) {
      ASSERT_EQ(edge_kv_seq_reserve(seqs[s], chunk[s]), nullptr);
      for (int64_t j = 0; j < chunk[s]; ++j) {
        tokenSeq.push_back(s);
        tokenPos.push_back(edge_kv_seq_length(seqs[s]) + j);
      }
    }
    std::vector<float> q(kHeads * tokens * kDim), k(kKVHeads * tokens * kDim), v(k.size()), out(q.size());
    for (float &x : q) x = normal(rng);
    for (float &x : k) x = normal(rng);
    for (float &x : v) x = normal(rng);
    for (int64_t t = 0; t < tokens; ++t)
      for (int kind = 0; kind < 2; ++kind) {
        std::vector<float> row(kKVHeads * kDim);
        for (int64_t g = 0; g < kKVHeads; ++g)
          for (int64_t d = 0; d < kDim; ++d) row[g * kDim + d] = (kind ? v : k)[(g * tokens + t) * kDim + d];
        all[tokenSeq[t]][kind].push_back(row);
      }
    edge_attention_batch_t batch = {tokens, tokenSeq.data(), tokenPos.data(), seqs, 2, 0, 0, nullptr,
                                    c.scratchSpan >= 0 ? &scratch : nullptr};
    MemrefI8 context = {nullptr, reinterpret_cast<int8_t *>(&batch), 0, {1}, {1}};
    Memref4 qm = view(q, kHeads, tokens), km = view(k, kKVHeads, tokens), vm = view(v, kKVHeads, tokens);
    Memref4 om = view(out, kHeads, tokens);
    edge_cpu_paged_attention(nullptr, &context, &qm, &km, &vm, &om, layer, scale);
    ASSERT_EQ(batch.error, 0);
    if (c.scratchSpan >= 0) {
      ASSERT_NE(scratch.data, nullptr);
      if (!firstScratchFloats) firstScratchFloats = scratch.floats;
      // Sized for max_span positions by the first call, the scratch never grows again
      // while no token attends to more.
      if (c.scratchSpan >= 16) EXPECT_EQ(scratch.floats, firstScratchFloats);
    }
    for (int64_t t = 0; t < tokens; ++t) {
      const auto &keys = all[tokenSeq[t]][0], &values = all[tokenSeq[t]][1];
      int64_t position = tokenPos[t], first = c.window && position >= c.window ? position - c.window + 1 : 0;
      for (int64_t h = 0; h < kHeads; ++h) {
        int64_t g = h / (kHeads / kKVHeads);
        std::vector<double> weights;
        double highest = -1e30, total = 0;
        for (int64_t j = first; j <= position; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < kDim; ++d) dot += q[(h * tokens + t) * kDim + d] * keys[j][g * kDim + d];
          weights.push_back(dot * scale);
          highest = std::max(highest, weights.back());
        }
        for (double &w : weights) total += (w = std::exp(w - highest));
        for (int64_t d = 0; d < kDim; ++d) {
          double expected = 0;
          for (int64_t j = first; j <= position; ++j) expected += weights[j - first] / total * values[j][g * kDim + d];
          ASSERT_NEAR(out[(h * tokens + t) * kDim + d], expected, c.tolerance)
              << "seq " << tokenSeq[t] << " position " << position << " head " << h << " d " << d;
        }
      }
    }
    for (int s = 0; s < 2; ++s) ASSERT_EQ(edge_kv_seq_commit(seqs[s], chunk[s]), nullptr);
  }
  if (c.window) EXPECT_EQ(edge_kv_seq_slot(seqs[0], 0, 0, 0, 0), nullptr) << "the window evicted the first page";
  if (c.scratchSpan >= 0 && c.scratchSpan < 16) EXPECT_GT(scratch.floats, firstScratchFloats) << "spans outgrew it";
  free(scratch.data);
  for (auto *s : seqs) edge_kv_seq_release(s);
  edge_kv_pool_release(pool);
}

INSTANTIATE_TEST_SUITE_P(Pages, PagedAttentionTest,
                         ::testing::Values(Case{EDGE_DTYPE_F32, 0, 1e-5f}, Case{EDGE_DTYPE_F16, 0, 1e-2f},
                                           Case{EDGE_DTYPE_I8, 0, 3e-2f}, Case{EDGE_DTYPE_F32, 6, 1e-5f},
                                           Case{EDGE_DTYPE_F32, 0, 1e-5f, 2}, Case{EDGE_DTYPE_F32, 0, 1e-5f, 16}),
                         [](const auto &info) {
                           uint32_t dtype = info.param.dtype;
                           int64_t span = info.param.scratchSpan;
                           return std::string(dtype == EDGE_DTYPE_F16 ? "F16" : dtype == EDGE_DTYPE_I8 ? "Int8" : "F32") +
                                  (info.param.window ? "SlidingWindow" : "") +
                                  (span < 0 ? "" : span < 16 ? "GrownScratch" : "KeptScratch");
                         });

// A position without a page is reported, not read.
TEST(PagedAttentionErrors, MissingPageIsAnError) {
  edge_kv_layout_t layout = {1, 1, kDim};
  edge_kv_options_t options = {4, EDGE_DTYPE_F32, 1 << 16, 0, 0};
  edge_kv_pool_t *pool = nullptr;
  ASSERT_EQ(edge_kv_pool_create(&layout, &options, &pool), nullptr);
  edge_kv_seq_t *seq = nullptr;
  ASSERT_EQ(edge_kv_seq_create(pool, &seq), nullptr);
  int32_t tokenSeq[] = {0};
  int64_t tokenPos[] = {9}; // never reserved
  std::vector<float> q(kDim), k(kDim), v(kDim), out(kDim);
  edge_attention_batch_t batch = {1, tokenSeq, tokenPos, &seq, 1, 0, 0, nullptr};
  MemrefI8 context = {nullptr, reinterpret_cast<int8_t *>(&batch), 0, {1}, {1}};
  Memref4 qm = view(q, 1, 1), km = view(k, 1, 1), vm = view(v, 1, 1), om = view(out, 1, 1);
  edge_cpu_paged_attention(nullptr, &context, &qm, &km, &vm, &om, 0, 1.0f);
  EXPECT_NE(batch.error, 0);
  EXPECT_EQ(batch.error_token, 0);
  edge_kv_seq_release(seq);
  edge_kv_pool_release(pool);
}

} // namespace
