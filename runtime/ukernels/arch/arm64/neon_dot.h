/*
 * ukernels/arch/arm64/neon_dot.h — qmatmul dot products with SDOT (Armv8.2 dotprod).
 * Included by dotprod.c and i8mm.c, which define UK_HAS_DOT1X4 first.
 *
 * uk_dot: one activation row . one weight row, block/16 `sdot`s per block into 4 int32
 * lanes (what 16-value blocks, from pre-quantized models, go through).
 *
 * uk_dot1x4 (blocks of a multiple of 32, every column): four weight rows against one
 * activation block loaded once, an int32x4 accumulator per row. The q4 nibbles (0..15) are
 * valid int8 as they are: the low nibbles of a 32-value run's 16 bytes sdot the first 16
 * (permuted, uk_act_slot) activations and the high nibbles (ushr, no mask) the last 16, so
 * a run is one load, one and, one shift and two sdots per row. q4_0's -8 is -8 * sum(a),
 * seeded into the accumulators; the four rows' f16 scales are converted in one vector.
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
#define UK_HAS_QUANTIZE_BLOCK 1
static inline void uk_quantize_block(const float *row, int64_t block, int permuted, uint8_t *out);
#ifdef UK_HAS_DOT1X4
static inline void uk_dot1x4(int64_t dtype, const uint8_t *act, const uint8_t *const *w, int64_t blocks, int64_t block,
                             float *out);
#endif

#include "ukernels/qmatmul_driver.h"
#include "ukernels/panel_matmul_driver.h"

/* uk_quantize_row's arithmetic eight values at a time: |x| (vmaxnm: a NaN never raises the
 * maximum), scale amax / 127, x * (127 / amax) rounded half away from zero by adding
 * +-0.5 and truncating (fcvtzs, as the portable loop's cast compiles here), clamped to
 * [-127, 127]; 8-value groups land where uk_act_slot puts their first value. */
static inline void uk_quantize_block(const float *row, int64_t block, int permuted, uint8_t *out) {
  float32x4_t amax4 = vdupq_n_f32(0.0f);
  for (int64_t j = 0; j < block; j += 4) amax4 = vmaxnmq_f32(vabsq_f32(vld1q_f32(row + j)), amax4);
  const float amax = vmaxnmvq_f32(amax4);
  const float scale = amax / 127.0f, inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
  const float32x4_t up = vdupq_n_f32(0.5f), down = vdupq_n_f32(-0.5f), zero = vdupq_n_f32(0.0f);
  const int32x4_t high = vdupq_n_s32(127), low = vdupq_n_s32(-127);
  int32x4_t sum = vdupq_n_s32(0);
  int8_t *q = (int8_t *)(out + 8);
  for (int64_t j = 0; j < block; j += 8) {
    int32x4_t r[2];
    for (int h = 0; h < 2; ++h) {
      const float32x4_t t = vmulq_n_f32(vld1q_f32(row + j + 4 * h), inverse);
      const float32x4_t rounded = vaddq_f32(t, vbslq_f32(vcltq_f32(t, zero), down, up));
      r[h] = vmaxq_s32(vminq_s32(vcvtq_s32_f32(rounded), high), low);
      sum = vaddq_s32(sum, r[h]);
    }
    vst1_s8(q + uk_act_slot(permuted, j), vmovn_s16(vcombine_s16(vmovn_s32(r[0]), vmovn_s32(r[1]))));
  }
  const int32_t total = vaddvq_s32(sum);
  __builtin_memcpy(out, &scale, sizeof scale);
  __builtin_memcpy(out + 4, &total, sizeof total);
}

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

#ifdef UK_HAS_DOT1X4
static inline uint64_t uk_load_u16(const uint8_t *p) {
  uint16_t value;
  __builtin_memcpy(&value, p, sizeof value);
  return value;
}

/* The f16 at byte `at` of each of four weight rows, as f32 lanes, converted at once:
 * gathered in a general register (four ldrh, three orr, one fmov). The empty asm keeps
 * clang from turning that into lane loads (ld1 {v.h}[i], 3 uops each on Cortex-A76 and
 * Neoverse-N1): llvm-mca puts a four-row q4_0 block at 24 cycles with them, 21 without. */
static inline float32x4_t uk_f16x4(const uint8_t *w0, const uint8_t *w1, const uint8_t *w2, const uint8_t *w3,
                                   int64_t at) {
  uint64_t h =
      uk_load_u16(w0 + at) | uk_load_u16(w1 + at) << 16 | uk_load_u16(w2 + at) << 32 | uk_load_u16(w3 + at) << 48;
  __asm__("" : "+r"(h));
  return vcvt_f32_f16(vreinterpret_f16_u64(vcreate_u64(h)));
}

/* One row's 32-value run at q against the activations' run (low: its first 16 values,
 * high: the last 16). q8_0: two sdots. q4: the 16 bytes' low nibbles by the first 16
 * (permuted, uk_act_slot) activations, the high nibbles (a shift, no mask) by the rest. */
static inline int32x4_t uk_run_dot(int64_t dtype, int32x4_t sum, const uint8_t *q, int8x16_t low, int8x16_t high) {
  if (dtype == EDGE_DTYPE_Q8_0)
    return vdotq_s32(vdotq_s32(sum, vld1q_s8((const int8_t *)q), low), vld1q_s8((const int8_t *)q + 16), high);
  const uint8x16_t packed = vld1q_u8(q);
  sum = vdotq_s32(sum, vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(15))), low);
  return vdotq_s32(sum, vreinterpretq_s8_u8(vshrq_n_u8(packed, 4)), high);
}

/* Written out row by row, not as loops over r: GCC -O2 keeps such loops, and an array of
 * accumulators then lives on the stack. */
__attribute__((always_inline)) static inline void uk_dot1x4_rows(int64_t dtype, const uint8_t *act,
                                                                 const uint8_t *const *w, int64_t blocks, int64_t block,
                                                                 float *out) {
  const int64_t header = uk_header_bytes(dtype), w_block = uk_w_block_bytes(dtype, block);
  const int64_t run_bytes = dtype == EDGE_DTYPE_Q8_0 ? 32 : 16;
  const uint8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
  float32x4_t total = vdupq_n_f32(0.0f), minimum_terms = total;
  /* The next four rows follow these in memory: fetch them while these are multiplied. */
  const int64_t ahead = 4 * (w1 - w0);
  for (int64_t b = 0, offset = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), offset += w_block) {
    __builtin_prefetch(w0 + ahead + offset);
    __builtin_prefetch(w1 + ahead + offset);
    __builtin_prefetch(w2 + ahead + offset);
    __builtin_prefetch(w3 + ahead + offset);
    const int32_t asum = uk_load_i32(act + 4);
    /* A row's four lanes are summed below, so -2 * sum(a) in each is q4_0's -8 * sum(a). */
    int32x4_t sum0 = vdupq_n_s32(dtype == EDGE_DTYPE_Q4_0 ? -2 * asum : 0), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    /* Bottom-tested: a block has at least one run, so none is tested before the first. */
    const int8_t *aq = (const int8_t *)(act + 8);
    int64_t q = offset + header;
    do {
      const int8x16_t low = vld1q_s8(aq), high = vld1q_s8(aq + 16);
      sum0 = uk_run_dot(dtype, sum0, w0 + q, low, high);
      sum1 = uk_run_dot(dtype, sum1, w1 + q, low, high);
      sum2 = uk_run_dot(dtype, sum2, w2 + q, low, high);
      sum3 = uk_run_dot(dtype, sum3, w3 + q, low, high);
      aq += 32, q += run_bytes;
    } while (aq < (const int8_t *)(act + 8) + block);
    const int32x4_t rows = vpaddq_s32(vpaddq_s32(sum0, sum1), vpaddq_s32(sum2, sum3));
    const float da = uk_load_f32(act);
    total = vfmaq_f32(total, vcvtq_f32_s32(rows), vmulq_n_f32(uk_f16x4(w0, w1, w2, w3, offset), da));
    if (dtype == EDGE_DTYPE_Q4_1) /* + m * da * sum(a) per row */
      minimum_terms = vfmaq_n_f32(minimum_terms, uk_f16x4(w0, w1, w2, w3, offset + 2), da * (float)asum);
  }
  vst1q_f32(out, vaddq_f32(total, minimum_terms));
}

/* The usual block of 32 gets its own copy, a block of it one straight run of code
 * (llvm-mca, cortex-a76: 21 cycles for a four-row q4_0 block, 30 in the general loop).
 * Always inlined: left out of line (it is large), clang merges the driver's q4_0 and q4_1
 * calls into one that passes dtype at run time, and neither format gets its own loop. */
__attribute__((always_inline)) static inline void uk_dot1x4(int64_t dtype, const uint8_t *act, const uint8_t *const *w, int64_t blocks, int64_t block,
                             float *out) {
  if (block == 32)
    uk_dot1x4_rows(dtype, act, w, blocks, 32, out);
  else
    uk_dot1x4_rows(dtype, act, w, blocks, block, out);
}
#endif

#endif /* EDGE_UKERNELS_ARM64_NEON_DOT_H_ */
