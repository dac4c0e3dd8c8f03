/*
 * ukernels/arch/x86_64/x86_dot.h — qmatmul row dot products with 256-bit integer dots.
 *
 * The includer defines UK_IDOT32(a, w): the int32x8 partial sums of 32 int8 products
 * (AVX2: |a| x sign(w, a) with vpmaddubsw + vpmaddwd; AVX512-VNNI: vpdpbusd).
 * Blocks of a multiple of 32 values go 32 at a time; a 16-value block (pre-quantized
 * models) goes 16 at a time through the low half.
 */
#ifndef EDGE_UKERNELS_X86_DOT_H_
#define EDGE_UKERNELS_X86_DOT_H_

#include <immintrin.h>
#include <stdint.h>

#include "edge/model_abi.h"

static inline float uk_f16_to_f32(const uint8_t *p) {
  uint16_t h;
  __builtin_memcpy(&h, p, sizeof h);
  return _cvtsh_ss(h);
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block);
#define UK_HAS_QUANTIZE_BLOCK 1
static inline void uk_quantize_block(const float *row, int64_t block, int permuted, uint8_t *out);
#ifdef UK_HAS_DOT1X4 /* the includer defines it after this header */
static inline void uk_dot1x4(int64_t dtype, const uint8_t *act, const uint8_t *const *w, int64_t blocks, int64_t block,
                             float *out);
#endif

#include "ukernels/qmatmul_driver.h"
#include "ukernels/panel_matmul_driver.h"

static inline uint16_t uk_load_u16(const uint8_t *p) {
  uint16_t value;
  __builtin_memcpy(&value, p, sizeof value);
  return value;
}

/* The f16 at `offset` in each of four weight rows, as f32, times the activation scale. */
static inline __m128 uk_scales4(const uint8_t *const *w, int64_t offset, float da) {
  __m128i h = _mm_cvtsi32_si128(uk_load_u16(w[0] + offset));
  h = _mm_insert_epi16(h, uk_load_u16(w[1] + offset), 1);
  h = _mm_insert_epi16(h, uk_load_u16(w[2] + offset), 2);
  h = _mm_insert_epi16(h, uk_load_u16(w[3] + offset), 3);
  return _mm_mul_ps(_mm_cvtph_ps(h), _mm_set1_ps(da));
}

/* The f16 at `at` and the three after it (an _x4 block's four rows), as f32, times da. */
static inline __m128 uk_scales4_x4(const uint8_t *at, float da) {
  return _mm_mul_ps(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)at)), _mm_set1_ps(da));
}

/* Bytes ahead of an _x4 stream to prefetch (about 110 q4_0 blocks of four rows): a
 * thread must keep this much in flight to cover the DRAM latency at its share of the
 * bandwidth. qmatmul_bench, one thread, q4_0: 27-30 GB/s at 2 KB ahead, 32-34 at 4 KB,
 * 36-37 at 8 KB, no better beyond. */
#define UK_X4_PREFETCH 8192

/* uk_dot1x4's per-block start: fetches what the next blocks read (the _x4 stream ahead, or
 * the next four plain rows, which follow these in memory: `ahead` = 4 rows) and returns
 * the four rows' scales times da. For _x4, `group` is this block of the four rows: their
 * d (and m), then per 32 values the rows' bytes. */
static inline __m128 uk_block_start(int x4, const uint8_t *const *w, const uint8_t *group, int64_t group_bytes,
                                    int64_t ahead, int64_t offset, float da) {
  if (x4) {
    /* About one prefetch per cache line of the stream: a q4_0 group of four rows is 72
     * bytes (one), a q8_0 group 136 (two; with one, q8_0 streamed 20-25% slower). No
     * loop: a loop here cost q4_0 prefill a fifth of its speed. */
    _mm_prefetch((const char *)(group + UK_X4_PREFETCH), _MM_HINT_T0);
    if (group_bytes > 96) _mm_prefetch((const char *)(group + UK_X4_PREFETCH + 64), _MM_HINT_T0);
    return uk_scales4_x4(group, da);
  }
  for (int r = 0; r < 4; ++r) _mm_prefetch((const char *)(w[r] + ahead + offset), _MM_HINT_T0);
  return uk_scales4(w, offset, da);
}

/* uk_quantize_row's arithmetic eight values at a time: |x| (a NaN never raises the
 * maximum), scale amax / 127, x * (127 / amax) rounded half away from zero by adding
 * +-0.5 and truncating, clamped to [-127, 127]; 8-value groups land where uk_act_slot puts
 * their first value (the permutation moves whole groups of 8). */
static inline void uk_quantize_block(const float *row, int64_t block, int permuted, uint8_t *out) {
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 amax8 = _mm256_setzero_ps();
  for (int64_t j = 0; j < block; j += 8) amax8 = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(row + j), magnitude), amax8);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(amax8), _mm256_extractf128_ps(amax8, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  const float amax = _mm_cvtss_f32(_mm_max_ss(m4, _mm_movehdup_ps(m4)));
  const float scale = amax / 127.0f, inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
  const __m256 inv = _mm256_set1_ps(inverse), up = _mm256_set1_ps(0.5f), down = _mm256_set1_ps(-0.5f);
  const __m256i high = _mm256_set1_epi32(127), low = _mm256_set1_epi32(-127);
  __m256i sum = _mm256_setzero_si256();
  int8_t *q = (int8_t *)(out + 8);
  for (int64_t j = 0; j < block; j += 8) {
    const __m256 t = _mm256_mul_ps(_mm256_loadu_ps(row + j), inv);
    const __m256 offset = _mm256_blendv_ps(up, down, _mm256_cmp_ps(t, _mm256_setzero_ps(), _CMP_LT_OQ));
    __m256i r = _mm256_cvttps_epi32(_mm256_add_ps(t, offset));
    r = _mm256_max_epi32(_mm256_min_epi32(r, high), low);
    sum = _mm256_add_epi32(sum, r);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    _mm_storel_epi64((__m128i *)(q + uk_act_slot(permuted, j)), _mm_packs_epi16(words, words));
  }
  __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
  const int32_t total = _mm_cvtsi128_si32(_mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1)));
  __builtin_memcpy(out, &scale, sizeof scale);
  __builtin_memcpy(out + 4, &total, sizeof total);
}

/* [sum of x0, x1, x2, x3] */
static inline __m128 uk_hsum4(__m128 x0, __m128 x1, __m128 x2, __m128 x3) {
  return _mm_hadd_ps(_mm_hadd_ps(x0, x1), _mm_hadd_ps(x2, x3));
}

/* 32 weights of a block from value `j` on, as int8 (q4_0 centered, q4_1 as 0..15). */
static inline __m256i uk_load_w32(int64_t dtype, const uint8_t *q, int64_t j) {
  if (dtype == EDGE_DTYPE_Q8_0) return _mm256_loadu_si256((const __m256i *)(q + j));
  const __m128i mask = _mm_set1_epi8(15);
  __m128i packed = _mm_loadu_si128((const __m128i *)(q + j / 2));
  __m128i low = _mm_and_si128(packed, mask), high = _mm_and_si128(_mm_srli_epi16(packed, 4), mask);
  /* Runs of 16: [low 0..7, high 0..7] then [low 8..15, high 8..15]. */
  __m256i v = _mm256_set_m128i(_mm_unpackhi_epi64(low, high), _mm_unpacklo_epi64(low, high));
  return dtype == EDGE_DTYPE_Q4_0 ? _mm256_sub_epi8(v, _mm256_set1_epi8(8)) : v;
}

/* The same for 16 values, in the low half (high half zero). */
static inline __m256i uk_load_w16(int64_t dtype, const uint8_t *q, int64_t j) {
  if (dtype == EDGE_DTYPE_Q8_0) return _mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(q + j)));
  const __m128i mask = _mm_set1_epi8(15);
  __m128i packed = _mm_loadl_epi64((const __m128i *)(q + j / 2));
  __m128i v = _mm_unpacklo_epi64(_mm_and_si128(packed, mask), _mm_and_si128(_mm_srli_epi16(packed, 4), mask));
  if (dtype == EDGE_DTYPE_Q4_0) v = _mm_sub_epi8(v, _mm_set1_epi8(8));
  return _mm256_zextsi128_si256(v);
}

static inline float uk_hsum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block) {
  const int64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const int64_t w_block = header + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
  __m256 total = _mm256_setzero_ps();
  float minimum_terms = 0.0f;
  for (int64_t b = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), w += w_block) {
    const int8_t *aq = (const int8_t *)(act + 8);
    __m256i sum = _mm256_setzero_si256();
    int64_t j = 0;
    for (; j + 32 <= block; j += 32)
      sum = _mm256_add_epi32(sum, UK_IDOT32(_mm256_loadu_si256((const __m256i *)(aq + j)), uk_load_w32(dtype, w + header, j)));
    if (j < block) /* a 16-value tail */
      sum = _mm256_add_epi32(sum, UK_IDOT32(_mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(aq + j))),
                                            uk_load_w16(dtype, w + header, j)));
    const float da = uk_load_f32(act);
    total = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(da * uk_f16_to_f32(w)), total);
    if (dtype == EDGE_DTYPE_Q4_1) minimum_terms += da * uk_f16_to_f32(w + 2) * (float)uk_load_i32(act + 4);
  }
  return uk_hsum(total) + minimum_terms;
}

#endif /* EDGE_UKERNELS_X86_DOT_H_ */
