/* ukernels/arch/x86_64/avx512vnni.c — qmatmul for x86-64 with AVX512-VNNI (256-bit, AVX512VL). */
#include <immintrin.h>

#define UK_VARIANT avx512vnni

/* a.w for signed a and w: vpdpbusd multiplies unsigned |a| by w with a's sign, sums quads. */
static inline __m256i uk_idot32(__m256i a, __m256i w) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(a, a), _mm256_sign_epi8(w, a));
}
#define UK_IDOT32 uk_idot32

#include "ukernels/arch/x86_64/x86_dot.h"
