/*
 * ukernels/arch/arm64/neon_dot.h — qmatmul row dot products with SDOT (Armv8.2 dotprod):
 * each block is block/16 `sdot`s into 4 int32 lanes, scaled into 4 f32 lanes.
 * Included by dotprod.c and i8mm.c.
 */
#ifndef EDGE_UKERNELS_ARM64_NEON_DOT_H_
#define EDGE_UKERNELS_ARM64_NEON_DOT_H_

#include <arm_neon.h>
#include <stdint.h>

#include "edge/model_abi.h"

static inline float uk_f16_to_f32(const uint8_t *p) {
  __fp16 h;
  __builtin_memcpy(&h, p, sizeof h);
  return (float)h;
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block);

#include "ukernels/qmatmul_driver.h"

static inline int64_t uk_header_bytes(int64_t dtype) { return dtype == EDGE_DTYPE_Q4_1 ? 4 : 2; }
static inline int64_t uk_w_block_bytes(int64_t dtype, int64_t block) {
  return uk_header_bytes(dtype) + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
}

/* 16 weights of a block from value `j` on, as int8 (q4_0 centered, q4_1 as 0..15). */
static inline int8x16_t uk_load_w16(int64_t dtype, const uint8_t *q, int64_t j) {
  if (dtype == EDGE_DTYPE_Q8_0) return vld1q_s8((const int8_t *)q + j);
  uint8x8_t packed = vld1_u8(q + j / 2);
  int8x16_t v = vreinterpretq_s8_u8(vcombine_u8(vand_u8(packed, vdup_n_u8(15)), vshr_n_u8(packed, 4)));
  return dtype == EDGE_DTYPE_Q4_0 ? vsubq_s8(v, vdupq_n_s8(8)) : v;
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block) {
  const int64_t header = uk_header_bytes(dtype), w_block = uk_w_block_bytes(dtype, block);
  float32x4_t total = vdupq_n_f32(0.0f);
  float minimum_terms = 0.0f;
  for (int64_t b = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), w += w_block) {
    const int8_t *aq = (const int8_t *)(act + 8);
    int32x4_t sum = vdupq_n_s32(0);
    for (int64_t j = 0; j < block; j += 16) sum = vdotq_s32(sum, vld1q_s8(aq + j), uk_load_w16(dtype, w + header, j));
    const float da = uk_load_f32(act);
    total = vmlaq_n_f32(total, vcvtq_f32_s32(sum), da * uk_f16_to_f32(w));
    if (dtype == EDGE_DTYPE_Q4_1) minimum_terms += da * uk_f16_to_f32(w + 2) * (float)uk_load_i32(act + 4);
  }
  return vaddvq_f32(total) + minimum_terms;
}

#endif /* EDGE_UKERNELS_ARM64_NEON_DOT_H_ */
