/* ukernels/generic.c — the portable qmatmul: plain C, any target (the compiler vectorizes).
 * The armv7 NEON and riscv64 RVV variants are this file compiled for their vector unit
 * under their own name (arch/armv7/neon.c, arch/riscv64/rvv.c). */
#include <stdint.h>

#include "edge/model_abi.h"
#include "edge/quantize.h"

#ifndef UK_VARIANT
#define UK_VARIANT generic
#endif

static inline float uk_f16_to_f32(const uint8_t *p) {
  uint16_t h;
  __builtin_memcpy(&h, p, sizeof h);
  return edge_f16_to_f32(h);
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block);

#include "ukernels/qmatmul_driver.h"
#include "ukernels/panel_matmul_driver.h"

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block) {
  const int64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const int64_t w_block = header + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
  float total = 0.0f;
  for (int64_t b = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), w += w_block) {
    const int8_t *aq = (const int8_t *)(act + 8);
    const uint8_t *wq = w + header;
    int32_t sum = 0;
    if (dtype == EDGE_DTYPE_Q8_0) {
      for (int64_t j = 0; j < block; ++j) sum += aq[j] * (int32_t)((const int8_t *)wq)[j];
    } else {
      const int32_t bias = dtype == EDGE_DTYPE_Q4_0 ? 8 : 0;
      for (int64_t run = 0; run < block; run += 16, aq += 16, wq += 8)
        for (int64_t j = 0; j < 8; ++j)
          sum += aq[j] * ((wq[j] & 15) - bias) + aq[j + 8] * ((wq[j] >> 4) - bias);
    }
    const float da = uk_load_f32(act);
    total += da * uk_f16_to_f32(w) * (float)sum;
    if (dtype == EDGE_DTYPE_Q4_1) total += da * uk_f16_to_f32(w + 2) * (float)uk_load_i32(act + 4);
  }
  return total;
}
