/* ukernels/arch/x86_64/avx2.c — qmatmul for x86-64 with AVX2, FMA and F16C. */
#include <immintrin.h>

#define UK_VARIANT avx2

/* a.w for signed a and w: |a| (unsigned) times w with a's sign, pairs to i16, quads to i32.
 * No i16 saturation: |a| <= 127 and |w| <= 127 give at most 2 x 127 x 127 < 32767. */
static inline __m256i uk_idot32(__m256i a, __m256i w) {
  __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(w, a));
  return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}
#define UK_IDOT32 uk_idot32

#include "ukernels/arch/x86_64/x86_dot.h"
