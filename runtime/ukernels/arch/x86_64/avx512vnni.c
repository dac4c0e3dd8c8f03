/* ukernels/arch/x86_64/avx512vnni.c — qmatmul for x86-64 with AVX512-VNNI.
 *
 * Blocks of a multiple of 32 values go through uk_dot1x4: four weight rows at once in one
 * 512-bit register (a row per 128-bit lane for the q4 formats, per 256-bit half for q8_0),
 * the activation block loaded once for the four. vpdpbusd multiplies unsigned by signed
 * bytes, so the q4 nibbles go in as they are (0..15) and q4_0's -8 becomes -8 * sum(a),
 * seeded into the accumulator; q8_0's signed weights go in offset by 128 (w ^ 0x80) and
 * -128 * sum(a) is seeded the same way. The _x4 formats (four rows interleaved) give the
 * same registers with whole-register loads from one stream. */
#include <immintrin.h>

#define UK_VARIANT avx512vnni
#define UK_HAS_DOT1X4 1
/* f32 panels of 32 (edgec's AVX-512 tile): 6 rows x 2 zmm, or 4 panels of one row. */
#define UK_F32_LANES 16
#define UK_F32_ROWS 6
#define UK_F32_PANELS 4

/* a.w for signed a and w (16-value blocks): vpdpbusd multiplies unsigned |a| by w with
 * a's sign, sums quads. */
static inline __m256i uk_idot32(__m256i a, __m256i w) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(a, a), _mm256_sign_epi8(w, a));
}
#define UK_IDOT32 uk_idot32

#include "ukernels/arch/x86_64/x86_dot.h"

/* Four 16-byte runs, one per 128-bit lane. */
static inline __m512i uk_load4x16(const uint8_t *const *w, int64_t offset) {
  __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(w[0] + offset)));
  v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(w[1] + offset)), 1);
  v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(w[2] + offset)), 2);
  return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(w[3] + offset)), 3);
}

/* Two 32-byte rows, one per 256-bit half. */
static inline __m512i uk_load2x32(const uint8_t *w0, const uint8_t *w1, int64_t offset) {
  __m512i v = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(w0 + offset)));
  return _mm512_inserti64x4(v, _mm256_loadu_si256((const __m256i *)(w1 + offset)), 1);
}

static inline __m128 uk_lane(__m512 v, int lane) {
  switch (lane) {
    case 0: return _mm512_extractf32x4_ps(v, 0);
    case 1: return _mm512_extractf32x4_ps(v, 1);
    case 2: return _mm512_extractf32x4_ps(v, 2);
    default: return _mm512_extractf32x4_ps(v, 3);
  }
}

static inline __attribute__((always_inline)) void uk_dot1x4(int64_t format, const uint8_t *act, const uint8_t *const *w, int64_t blocks, int64_t block,
                             float *out) {
  const int x4 = edge_weights_is_x4((uint32_t)format);
  const int64_t dtype = edge_weights_base_dtype((uint32_t)format);
  const int64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const int64_t w_block = header + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
  const __m512i nibble = _mm512_set1_epi8(15), flip = _mm512_set1_epi8((char)0x80);
  /* A row's scale over its 128-bit lane (q4) or 256-bit half (q8_0, two registers). */
  const __m512i by_lane = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  const __m512i half01 = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i half23 = _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2);
  __m512 acc = _mm512_setzero_ps(), acc23 = _mm512_setzero_ps();
  __m128 minimum_terms = _mm_setzero_ps();
  const int64_t ahead = 4 * (w[1] - w[0]);
  for (int64_t b = 0, offset = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), offset += w_block) {
    const uint8_t *group = w[0] + 4 * offset, *payload = group + 4 * header; /* _x4 only */
    const int32_t asum = uk_load_i32(act + 4);
    const float da = uk_load_f32(act);
    const __m512 scales = _mm512_castps128_ps512(uk_block_start(x4, w, group, 4 * w_block, ahead, offset, da));
    if (dtype == EDGE_DTYPE_Q8_0) {
      __m512i sum01 = _mm512_maskz_set1_epi32(0x0101, -128 * asum), sum23 = sum01;
      for (int64_t j = 0; j < block; j += 32) {
        const __m512i a = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(act + 8 + j)));
        const __m512i rows01 = x4 ? _mm512_loadu_si512(payload + 4 * j) : uk_load2x32(w[0], w[1], offset + header + j);
        const __m512i rows23 = x4 ? _mm512_loadu_si512(payload + 4 * j + 64) : uk_load2x32(w[2], w[3], offset + header + j);
        sum01 = _mm512_dpbusd_epi32(sum01, _mm512_xor_si512(rows01, flip), a);
        sum23 = _mm512_dpbusd_epi32(sum23, _mm512_xor_si512(rows23, flip), a);
      }
      acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum01), _mm512_permutexvar_ps(half01, scales), acc);
      acc23 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum23), _mm512_permutexvar_ps(half23, scales), acc23);
    } else {
      __m512i sum = _mm512_maskz_set1_epi32(0x1111, dtype == EDGE_DTYPE_Q4_0 ? -8 * asum : 0);
      for (int64_t j = 0; j < block; j += 32) {
        const __m512i packed = x4 ? _mm512_loadu_si512(payload + 2 * j) : uk_load4x16(w, offset + header + j / 2);
        const __m512i low = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(act + 8 + j)));
        const __m512i high = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(act + 8 + j + 16)));
        sum = _mm512_dpbusd_epi32(sum, _mm512_and_si512(packed, nibble), low);
        sum = _mm512_dpbusd_epi32(sum, _mm512_and_si512(_mm512_srli_epi16(packed, 4), nibble), high);
      }
      acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_permutexvar_ps(by_lane, scales), acc);
      if (dtype == EDGE_DTYPE_Q4_1) /* + m * da * sum(a) per row */
        minimum_terms = _mm_fmadd_ps(x4 ? uk_scales4_x4(group + 8, da) : uk_scales4(w, offset + 2, da),
                                     _mm_set1_ps((float)asum), minimum_terms);
    }
  }
  __m128 rows;
  if (dtype == EDGE_DTYPE_Q8_0)
    rows = uk_hsum4(_mm_add_ps(uk_lane(acc, 0), uk_lane(acc, 1)), _mm_add_ps(uk_lane(acc, 2), uk_lane(acc, 3)),
                    _mm_add_ps(uk_lane(acc23, 0), uk_lane(acc23, 1)), _mm_add_ps(uk_lane(acc23, 2), uk_lane(acc23, 3)));
  else
    rows = _mm_add_ps(uk_hsum4(uk_lane(acc, 0), uk_lane(acc, 1), uk_lane(acc, 2), uk_lane(acc, 3)), minimum_terms);
  _mm_storeu_ps(out, rows);
}

