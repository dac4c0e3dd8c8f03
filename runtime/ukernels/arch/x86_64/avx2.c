/* ukernels/arch/x86_64/avx2.c — qmatmul for x86-64 with AVX2, FMA and F16C.
 *
 * Blocks of a multiple of 32 values go through uk_dot1x4: four weight rows per activation
 * block loaded once. For the q4 formats two rows share a 256-bit register (a row per
 * 128-bit lane), their nibbles multiplied as they are (0..15, unsigned) by the signed
 * activations with vpmaddubsw, q4_0's -8 applied as -8 * sum(a); q8_0 goes a row per
 * register with |a| x sign(w, a). The _x4 formats (four rows interleaved) give the same
 * registers with whole-register loads from one stream. */
#include <immintrin.h>

#define UK_VARIANT avx2
#define UK_HAS_DOT1X4 1
/* f32 panels of 16 (edgec's AVX2 tile): 4 rows x 2 ymm, or 2 panels of one row. */
#define UK_F32_LANES 8

/* a.w for signed a and w: |a| (unsigned) times w with a's sign, pairs to i16, quads to i32.
 * No i16 saturation: |a| <= 127 and |w| <= 127 give at most 2 x 127 x 127 < 32767. */
static inline __m256i uk_idot32(__m256i a, __m256i w) {
  __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(w, a));
  return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}
#define UK_IDOT32 uk_idot32

#include "ukernels/arch/x86_64/x86_dot.h"

/* Two 16-byte runs, one per 128-bit lane. */
static inline __m256i uk_load2x16(const uint8_t *w0, const uint8_t *w1, int64_t offset) {
  return _mm256_loadu2_m128i((const __m128i *)(w1 + offset), (const __m128i *)(w0 + offset));
}

/* 32 nibbles of two rows (a row per lane) times the permuted activations, as int32 quads.
 * Pairs of products stay within int16: 2 x 15 x 127, twice, < 32767. */
static inline __m256i uk_nibble_dot(__m256i packed, __m256i low, __m256i high) {
  const __m256i nibble = _mm256_set1_epi8(15);
  __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_and_si256(packed, nibble), low),
                                   _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble), high));
  return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

static inline __attribute__((always_inline)) void uk_dot1x4(int64_t format, const uint8_t *act, const uint8_t *const *w, int64_t blocks, int64_t block,
                             float *out) {
  const int x4 = edge_weights_is_x4((uint32_t)format);
  const int64_t dtype = edge_weights_base_dtype((uint32_t)format);
  const int64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const int64_t w_block = header + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
  const __m256i lane0 = _mm256_set_epi32(1, 1, 1, 1, 0, 0, 0, 0), lane1 = _mm256_set_epi32(3, 3, 3, 3, 2, 2, 2, 2);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  __m128 minimum_terms = _mm_setzero_ps();
  const int64_t ahead = 4 * (w[1] - w[0]);
  for (int64_t b = 0, offset = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), offset += w_block) {
    const uint8_t *group = w[0] + 4 * offset, *payload = group + 4 * header; /* _x4 only */
    const int32_t asum = uk_load_i32(act + 4);
    const float da = uk_load_f32(act);
    const __m256 scales = _mm256_castps128_ps256(uk_block_start(x4, w, group, 4 * w_block, ahead, offset, da));
    if (dtype == EDGE_DTYPE_Q8_0) {
      __m256i sum0 = _mm256_setzero_si256(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
      for (int64_t j = 0; j < block; j += 32) {
        const __m256i a = _mm256_loadu_si256((const __m256i *)(act + 8 + j)), magnitude = _mm256_sign_epi8(a, a);
        const __m256i one = _mm256_set1_epi16(1);
#define UK_ROW_DOT(r)                                                                                       \
  _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude,                                                         \
                                         _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(                \
                                                              x4 ? payload + 4 * j + 32 * (r)                \
                                                                 : w[r] + offset + header + j)),             \
                                                          a)),                                              \
                    one)
        sum0 = _mm256_add_epi32(sum0, UK_ROW_DOT(0));
        sum1 = _mm256_add_epi32(sum1, UK_ROW_DOT(1));
        sum2 = _mm256_add_epi32(sum2, UK_ROW_DOT(2));
        sum3 = _mm256_add_epi32(sum3, UK_ROW_DOT(3));
#undef UK_ROW_DOT
      }
      acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum0), _mm256_permutevar8x32_ps(scales, _mm256_set1_epi32(0)), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum1), _mm256_permutevar8x32_ps(scales, _mm256_set1_epi32(1)), acc1);
      acc2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum2), _mm256_permutevar8x32_ps(scales, _mm256_set1_epi32(2)), acc2);
      acc3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum3), _mm256_permutevar8x32_ps(scales, _mm256_set1_epi32(3)), acc3);
    } else {
      const int32_t seed = dtype == EDGE_DTYPE_Q4_0 ? -8 * asum : 0;
      __m256i sum01 = _mm256_set_epi32(0, 0, 0, seed, 0, 0, 0, seed), sum23 = sum01;
      for (int64_t j = 0; j < block; j += 32) {
        const __m256i low = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(act + 8 + j)));
        const __m256i high = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(act + 8 + j + 16)));
        const __m256i rows01 = x4 ? _mm256_loadu_si256((const __m256i *)(payload + 2 * j))
                                  : uk_load2x16(w[0], w[1], offset + header + j / 2);
        const __m256i rows23 = x4 ? _mm256_loadu_si256((const __m256i *)(payload + 2 * j + 32))
                                  : uk_load2x16(w[2], w[3], offset + header + j / 2);
        sum01 = _mm256_add_epi32(sum01, uk_nibble_dot(rows01, low, high));
        sum23 = _mm256_add_epi32(sum23, uk_nibble_dot(rows23, low, high));
      }
      acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum01), _mm256_permutevar8x32_ps(scales, lane0), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum23), _mm256_permutevar8x32_ps(scales, lane1), acc1);
      if (dtype == EDGE_DTYPE_Q4_1) /* + m * da * sum(a) per row */
        minimum_terms = _mm_fmadd_ps(x4 ? uk_scales4_x4(group + 8, da) : uk_scales4(w, offset + 2, da),
                                     _mm_set1_ps((float)asum), minimum_terms);
    }
  }
  __m128 rows;
  if (dtype == EDGE_DTYPE_Q8_0)
    rows = uk_hsum4(_mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1)),
                    _mm_add_ps(_mm256_castps256_ps128(acc1), _mm256_extractf128_ps(acc1, 1)),
                    _mm_add_ps(_mm256_castps256_ps128(acc2), _mm256_extractf128_ps(acc2, 1)),
                    _mm_add_ps(_mm256_castps256_ps128(acc3), _mm256_extractf128_ps(acc3, 1)));
  else
    rows = _mm_add_ps(uk_hsum4(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1),
                               _mm256_castps256_ps128(acc1), _mm256_extractf128_ps(acc1, 1)),
                      minimum_terms);
  _mm_storeu_ps(out, rows);
}
