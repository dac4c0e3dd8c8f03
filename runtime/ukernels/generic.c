/* ukernels/generic.c — the portable qmatmul: plain C, any target (the compiler vectorizes). */
#include <stdint.h>

#include "edge/model_abi.h"
#include "ukernels/quantize.h"

#define UK_VARIANT generic

static inline float uk_f16_to_f32(const uint8_t *p) {
  uint16_t h;
  __builtin_memcpy(&h, p, sizeof h);
  return edge_f16_to_f32(h);
}

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block);

#include "ukernels/qmatmul_driver.h"

static inline float uk_dot(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block) {
  const int64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const int64_t w_block = header + (dtype == EDGE_DTYPE_Q8_0 ? block : block / 2);
  float total = 0.0f;
  for (int64_t b = 0; b < blocks; ++b, act += EDGE_UK_ACT_BLOCK_BYTES(block), w += w_block) {
    const int8_t *aq = uk_act_values(act, block);
    const uint8_t *wq = w + header;
    float in_block = 0.0f, activation_sum = 0.0f;
    for (int64_t r = 0; r < block / EDGE_UK_ACT_RUN; ++r, aq += 16) {
      int32_t sum = 0;
      if (dtype == EDGE_DTYPE_Q8_0) {
        for (int64_t j = 0; j < 16; ++j) sum += aq[j] * (int32_t)((const int8_t *)wq)[r * 16 + j];
      } else {
        const int32_t bias = dtype == EDGE_DTYPE_Q4_0 ? 8 : 0;
        const uint8_t *nibbles = wq + r * 8;
        for (int64_t j = 0; j < 8; ++j)
          sum += aq[j] * ((nibbles[j] & 15) - bias) + aq[j + 8] * ((nibbles[j] >> 4) - bias);
      }
      in_block += uk_act_scale(act, r) * (float)sum;
      activation_sum += uk_act_scale(act, r) * (float)uk_act_sum(act, block, r);
    }
    total += uk_f16_to_f32(w) * in_block;
    if (dtype == EDGE_DTYPE_Q4_1) total += uk_f16_to_f32(w + 2) * activation_sum;
  }
  return total;
}
