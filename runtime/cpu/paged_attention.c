/*
 * edge_cpu_paged_attention: the attention the compiler's edge-paged-attention rewrite calls
 * (through the run's import table, edge_model_imports_t.paged_attention)
 * in place of softmax(Q K^T * scale + causal mask) V over concatenated past_key_values.
 *
 * For every token of the batch it first stores the token's new keys and values in its
 * sequence's pages, then attends over that sequence's positions [window start, position]
 * straight from the pages: nothing is concatenated or copied per step.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "abi/attention_batch.h"
#include "base/alloc.h"
#include "base/memref.h"
#include "cpu/paged_attention.h"
#include "cpu/thread_pool.h"
#include "edge/quantize.h"

EDGE_MEMREF_DESCRIPTOR(memref_i8_1d_t, int8_t, 1);
EDGE_MEMREF_DESCRIPTOR(memref_f32_4d_t, float, 4);

enum { ATTENTION_OK = 0, ATTENTION_NO_PAGE = 1, ATTENTION_BAD_SHAPE = 2, ATTENTION_NO_MEMORY = 3 };

static const float *element(const memref_f32_4d_t *m, int64_t h, int64_t t) {
  return m->aligned + m->offset + h * m->strides[1] + t * m->strides[2];
}

/* Stores token t's row of head h into a KV slot in the pool's dtype; int8 rows get their
 * own scale, max |x| / 127 (edge/kv_cache.h). */
static void store_row(void *slot, uint32_t dtype, const memref_f32_4d_t *m, int64_t h, int64_t t, int64_t dim) {
  const float *src = element(m, h, t);
  int64_t stride = m->strides[3];
  if (dtype == EDGE_DTYPE_F16) {
    uint16_t *dst = slot;
    for (int64_t d = 0; d < dim; ++d) dst[d] = edge_f32_to_f16(src[d * stride]);
  } else if (dtype == EDGE_DTYPE_I8) {
    float amax = 0.0f;
    for (int64_t d = 0; d < dim; ++d) amax = fmaxf(amax, fabsf(src[d * stride]));
    float scale = amax / 127.0f, inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
    memcpy(slot, &scale, sizeof scale);
    int8_t *dst = (int8_t *)slot + sizeof scale;
    for (int64_t d = 0; d < dim; ++d) dst[d] = (int8_t)edge_round_to_int(src[d * stride] * inverse);
  } else {
    float *dst = slot;
    for (int64_t d = 0; d < dim; ++d) dst[d] = src[d * stride];
  }
}

/* The inner loops below are inlined into each build of `attend`: the baseline one, and
 * on x86-64 one for AVX2 + FMA picked at run time, so that the score and value loops run
 * 8 lanes wide with fused multiply-adds where the CPU has them (the library itself is
 * built for the x86-64 baseline). Every item of a run takes the same build, so results
 * never depend on the thread count. */
#define ATTEND_INLINE static inline __attribute__((always_inline))

/* Eight lanes of partial sums (a vector type, so every build computes the same lanes in
 * the same order: one 256-bit register with AVX2, two 128-bit ones otherwise). */
typedef float f32x8 __attribute__((vector_size(32)));

ATTEND_INLINE float dot(const float *a, const float *b, int64_t n) {
  f32x8 lanes = {0};
  int64_t d = 0;
  for (; d + 8 <= n; d += 8) {
    f32x8 x, y;
    memcpy(&x, a + d, sizeof x);
    memcpy(&y, b + d, sizeof y);
    lanes += x * y;
  }
  float sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
  for (; d < n; ++d) sum += a[d] * b[d];
  return sum;
}

ATTEND_INLINE void axpy(float *acc, float weight, const float *x, int64_t n) {
  for (int64_t d = 0; d < n; ++d) acc[d] += weight * x[d];
}

/* The f32 row of a KV slot: the slot itself for f32, converted into `buffer` otherwise. */
ATTEND_INLINE const float *load_row(float *buffer, const void *slot, uint32_t dtype, int64_t dim) {
  if (dtype == EDGE_DTYPE_F16) {
    const uint16_t *src = slot;
    for (int64_t d = 0; d < dim; ++d) buffer[d] = edge_f16_to_f32(src[d]);
    return buffer;
  }
  if (dtype == EDGE_DTYPE_I8) {
    float scale;
    memcpy(&scale, slot, sizeof scale);
    const int8_t *src = (const int8_t *)slot + sizeof scale;
    for (int64_t d = 0; d < dim; ++d) buffer[d] = scale * (float)src[d];
    return buffer;
  }
  return slot;
}

typedef struct attend_job_t {
  edge_attention_batch_t *batch;
  const memref_f32_4d_t *q;
  memref_f32_4d_t *out;
  int64_t layer;
  float scale;
  int64_t kv_heads, group, dim, max_span;
  float *scratch;
  int64_t scratch_size; /* floats per thread */
  atomic_llong missing_token; /* a token whose window reaches a position without a page; -1 none */
} attend_job_t;

/* Token t's attention for the query heads of KV head g (item = t * kv_heads + g): each key
 * and value row is read once for the whole group, page run by page run. */
ATTEND_INLINE void attend(void *context, int64_t item, uint32_t worker) {
  attend_job_t *job = context;
  edge_attention_batch_t *batch = job->batch;
  int64_t t = item / job->kv_heads, g = item % job->kv_heads, group = job->group, dim = job->dim;
  int64_t max_span = job->max_span;
  float *scores = job->scratch + worker * job->scratch_size;
  float *queries = scores + group * max_span, *acc = queries + group * dim, *row = acc + group * dim;
  const edge_kv_seq_t *seq = batch->seqs[batch->token_seq[t]];
  const uint32_t dtype = edge_kv_seq_dtype(seq);
  const size_t row_bytes = edge_kv_seq_row_bytes(seq);
  int64_t position = batch->token_pos[t], start = edge_kv_seq_window_start(seq, position);
  int64_t span = position - start + 1;
  uint32_t layer = (uint32_t)job->layer;
  for (int64_t i = 0; i < group; ++i) { /* the group's queries, scaled, contiguous */
    const float *query = element(job->q, g * group + i, t);
    for (int64_t d = 0; d < dim; ++d) queries[i * dim + d] = query[d * job->q->strides[3]] * job->scale;
  }
  for (int64_t j = 0, run = 0; j < span; j += run) {
    const void *slot = edge_kv_seq_run(seq, layer, 0, (uint32_t)g, start + j, &run);
    if (!slot) {
      atomic_store(&job->missing_token, t);
      return;
    }
    if (run > span - j) run = span - j;
    for (int64_t r = 0; r < run; ++r) {
      const float *key = load_row(row, (const char *)slot + r * row_bytes, dtype, dim);
      for (int64_t i = 0; i < group; ++i) scores[i * max_span + j + r] = dot(queries + i * dim, key, dim);
    }
  }
  for (int64_t i = 0; i < group; ++i) { /* softmax */
    float *s = scores + i * max_span, highest = -INFINITY, total = 0.f;
    for (int64_t j = 0; j < span; ++j) highest = s[j] > highest ? s[j] : highest;
    for (int64_t j = 0; j < span; ++j) total += (s[j] = expf(s[j] - highest));
    for (int64_t j = 0; j < span; ++j) s[j] /= total;
  }
  memset(acc, 0, sizeof(float) * (size_t)(group * dim));
  for (int64_t j = 0, run = 0; j < span; j += run) {
    const void *slot = edge_kv_seq_run(seq, layer, 1, (uint32_t)g, start + j, &run);
    if (run > span - j) run = span - j;
    for (int64_t r = 0; r < run; ++r) {
      const float *value = load_row(row, (const char *)slot + r * row_bytes, dtype, dim);
      for (int64_t i = 0; i < group; ++i) axpy(acc + i * dim, scores[i * max_span + j + r], value, dim);
    }
  }
  const memref_f32_4d_t *out = job->out;
  for (int64_t i = 0; i < group; ++i) {
    float *dst = out->aligned + out->offset + (g * group + i) * out->strides[1] + t * out->strides[2];
    for (int64_t d = 0; d < dim; ++d) dst[d * out->strides[3]] = acc[i * dim + d];
  }
}

static void attend_baseline(void *context, int64_t item, uint32_t worker) { attend(context, item, worker); }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma"))) static void attend_avx2(void *context, int64_t item, uint32_t worker) {
  attend(context, item, worker);
}

static edge_work_fn attend_for_this_cpu(void) {
  __builtin_cpu_init(); /* once per process in effect; then a read of what it found */
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? attend_avx2 : attend_baseline;
}
#else
static edge_work_fn attend_for_this_cpu(void) { return attend_baseline; }
#endif

void edge_cpu_paged_attention(void *imports_context, void *attention_context, void *q_desc, void *k_desc,
                              void *v_desc, void *out_desc, int64_t layer, float scale) {
  (void)imports_context; /* everything the kernel needs is in the step's attention batch */
  memref_i8_1d_t *context = attention_context;
  memref_f32_4d_t *q = q_desc, *k = k_desc, *v = v_desc, *out = out_desc;
  edge_attention_batch_t *batch = (edge_attention_batch_t *)(void *)context->aligned;
  if (batch->error) return;
  int64_t heads = q->sizes[1], tokens = q->sizes[2], dim = q->sizes[3], kv_heads = k->sizes[1];
  if (q->sizes[0] != 1 || tokens != batch->num_tokens || kv_heads <= 0 || heads % kv_heads != 0 ||
      k->sizes[2] != tokens || v->sizes[2] != tokens || k->sizes[3] != dim || v->sizes[3] != dim ||
      v->sizes[1] != kv_heads) {
    batch->error = ATTENTION_BAD_SHAPE;
    return;
  }
  if (tokens == 0) return;
  int64_t group = heads / kv_heads;

  /* 1. Store every token's keys and values, so tokens of one chunk see each other. */
  for (int64_t t = 0; t < tokens; ++t) {
    const edge_kv_seq_t *seq = batch->seqs[batch->token_seq[t]];
    const uint32_t dtype = edge_kv_seq_dtype(seq);
    for (int64_t g = 0; g < kv_heads; ++g) {
      void *kslot = edge_kv_seq_slot(seq, (uint32_t)layer, 0, (uint32_t)g, batch->token_pos[t]);
      void *vslot = edge_kv_seq_slot(seq, (uint32_t)layer, 1, (uint32_t)g, batch->token_pos[t]);
      if (!kslot || !vslot) {
        batch->error = ATTENTION_NO_PAGE;
        batch->error_token = t;
        return;
      }
      store_row(kslot, dtype, k, g, t, dim);
      store_row(vslot, dtype, v, g, t, dim);
    }
  }

  /* 2. Attend: every (token, KV head) pair on its own, on the pool's threads. */
  int64_t max_span = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    const edge_kv_seq_t *seq = batch->seqs[batch->token_seq[t]];
    int64_t span = batch->token_pos[t] - edge_kv_seq_window_start(seq, batch->token_pos[t]) + 1;
    if (span > max_span) max_span = span;
  }
  /* Scores are laid out for the scratch's max_span, so that it is sized once per LM. */
  edge_attention_scratch_t *kept = batch->scratch;
  if (kept && kept->max_span > max_span) max_span = kept->max_span;
  attend_job_t job = {batch, q, out, layer, scale, kv_heads, group, dim, max_span, NULL, 0, -1};
  /* per thread: scores [group][span], queries [group][dim], accumulators [group][dim], a row */
  job.scratch_size = group * max_span + 2 * group * dim + dim;
  uint32_t threads = edge_thread_pool_size(batch->threads);
  size_t floats = (size_t)(job.scratch_size * threads);
  if (kept && kept->floats < floats) {
    float *grown = edge_mem_realloc(kept->data, sizeof(float) * floats);
    if (!grown) {
      batch->error = ATTENTION_NO_MEMORY;
      return;
    }
    kept->data = grown;
    kept->floats = floats;
  }
  job.scratch = kept ? kept->data : edge_mem_alloc(sizeof(float) * floats);
  if (!job.scratch) {
    batch->error = ATTENTION_NO_MEMORY;
    return;
  }
  edge_thread_pool_run(batch->threads, tokens * kv_heads, attend_for_this_cpu(), &job);
  if (!kept) edge_mem_free(job.scratch);
  if (atomic_load(&job.missing_token) >= 0) {
    batch->error = ATTENTION_NO_PAGE;
    batch->error_token = atomic_load(&job.missing_token);
  }
}
