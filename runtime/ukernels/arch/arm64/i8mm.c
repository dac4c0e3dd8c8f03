/*
 * ukernels/arch/arm64/i8mm.c — qmatmul for AArch64 with i8mm (SMMLA) and dotprod.
 *
 * Blocks of a multiple of 32 values go through the SDOT uk_dot1x4 (neon_dot.h), every row
 * count: llvm-mca (neoverse-n2) puts its four outputs of a 32-value block at 14 cycles
 * for q4_0 and 11 for q8_0, against 21 and 14 for uk_dot2x2's four, so it is also the
 * faster prefill kernel. 16-value blocks (pre-quantized models) keep uk_dot2x2: two
 * activation rows by two weight rows at once, SMMLA multiplying a 2x8 int8 matrix by the
 * transpose of another and accumulating the 2x2 int32 products, so each 8-value step of
 * a block serves four dot products; the rows and columns left over use uk_dot.
 */
#define UK_VARIANT i8mm
#define UK_HAS_DOT2X2 1
#define UK_HAS_DOT1X4 1

#include <arm_neon.h>
#include <stdint.h>

static inline void uk_dot2x2(int64_t dtype, const uint8_t *act0, const uint8_t *act1, const uint8_t *w0,
                             const uint8_t *w1, int64_t blocks, int64_t block, float out[4]);

#include "ukernels/arch/arm64/neon_dot.h"

static inline void uk_dot2x2(int64_t dtype, const uint8_t *act0, const uint8_t *act1, const uint8_t *w0,
                             const uint8_t *w1, int64_t blocks, int64_t block, float out[4]) {
  const int64_t header = uk_header_bytes(dtype), w_block = uk_w_block_bytes(dtype, block);
  const int64_t a_block = EDGE_UK_ACT_BLOCK_BYTES(block);
  float32x4_t total = vdupq_n_f32(0.0f);
  for (int64_t b = 0; b < blocks; ++b, act0 += a_block, act1 += a_block, w0 += w_block, w1 += w_block) {
    const int8_t *x0 = (const int8_t *)(act0 + 8), *x1 = (const int8_t *)(act1 + 8);
    int32x4_t sum = vdupq_n_s32(0);
    for (int64_t j = 0; j < block; j += 16) {
      int8x16_t a0 = vld1q_s8(x0 + j), a1 = vld1q_s8(x1 + j);
      int8x16_t b0 = uk_load_w16(dtype, w0 + header, j), b1 = uk_load_w16(dtype, w1 + header, j);
      sum = vmmlaq_s32(sum, vcombine_s8(vget_low_s8(a0), vget_low_s8(a1)), vcombine_s8(vget_low_s8(b0), vget_low_s8(b1)));
      sum = vmmlaq_s32(sum, vcombine_s8(vget_high_s8(a0), vget_high_s8(a1)),
                       vcombine_s8(vget_high_s8(b0), vget_high_s8(b1)));
    }
    const float da0 = uk_load_f32(act0), da1 = uk_load_f32(act1);
    const float dw0 = uk_f16_to_f32(w0), dw1 = uk_f16_to_f32(w1);
    const float scales[4] = {da0 * dw0, da0 * dw1, da1 * dw0, da1 * dw1};
    total = vmlaq_f32(total, vcvtq_f32_s32(sum), vld1q_f32(scales));
    if (dtype == EDGE_DTYPE_Q4_1) {
      const float m0 = uk_f16_to_f32(w0 + 2), m1 = uk_f16_to_f32(w1 + 2);
      const float s0 = da0 * (float)uk_load_i32(act0 + 4), s1 = da1 * (float)uk_load_i32(act1 + 4);
      const float minimum_terms[4] = {m0 * s0, m1 * s0, m0 * s1, m1 * s1};
      total = vaddq_f32(total, vld1q_f32(minimum_terms));
    }
  }
  vst1q_f32(out, total);
}
