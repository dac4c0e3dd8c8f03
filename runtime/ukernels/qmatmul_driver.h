/*
 * ukernels/qmatmul_driver.h — the loop nest shared by every qmatmul variant.
 *
 * A variant .c file defines, then includes this header:
 *   UK_VARIANT              its name: the entries are _mlir_ciface_edge_uk_<kernel>_<variant>
 *   uk_f16_to_f32(p)        f16 at p (unaligned) to f32
 *   uk_dot(dtype, act, w, blocks, block)
 *                           one activation row (quantized blocks) . one weight row
 *   optionally UK_HAS_DOT2X2 and uk_dot2x2(dtype, act0, act1, w0, w1, blocks, block, out[4])
 *                           two rows by two weight rows ([r0c0, r0c1, r1c0, r1c1])
 * uk_dot/uk_dot2x2 are called with a constant dtype so each format gets its own loop.
 */
#ifndef EDGE_UKERNELS_QMATMUL_DRIVER_H_
#define EDGE_UKERNELS_QMATMUL_DRIVER_H_

#include "edge/model_abi.h"
#include "edge/weights_format.h"
#include "ukernels/qmatmul.h"
#include "edge/quantize.h"

#define UK_PASTE(a, b) a##b
#define UK_NAME(kernel, variant) UK_PASTE(kernel, variant)
#define UK_ENTRY UK_NAME(_mlir_ciface_edge_uk_qmatmul_, UK_VARIANT)
#define UK_DEQUANT_ENTRY UK_NAME(_mlir_ciface_edge_uk_dequant_rows_, UK_VARIANT)

/* Columns per tile: a tile's weight rows stay in cache while every activation row visits. */
#define UK_N_TILE 16

static inline float uk_load_f32(const uint8_t *p) {
  float value;
  __builtin_memcpy(&value, p, sizeof value);
  return value;
}
static inline int32_t uk_load_i32(const uint8_t *p) {
  int32_t value;
  __builtin_memcpy(&value, p, sizeof value);
  return value;
}

/* Quantizes one row of `k` values read with `stride` into blocks of EDGE_UK_ACT_BLOCK_BYTES. */
static void uk_quantize_row(const float *row, int64_t stride, int64_t blocks, int64_t block, uint8_t *out) {
  for (int64_t b = 0; b < blocks; ++b, row += block * stride, out += EDGE_UK_ACT_BLOCK_BYTES(block)) {
    float amax = 0.0f;
    for (int64_t j = 0; j < block; ++j) {
      float v = row[j * stride];
      v = v < 0 ? -v : v;
      amax = v > amax ? v : amax;
    }
    float scale = amax / 127.0f, inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
    int8_t *q = (int8_t *)(out + 8);
    int32_t sum = 0;
    for (int64_t j = 0; j < block; ++j) {
      float v = row[j * stride] * inverse;
      int32_t rounded = (int32_t)(v + (v < 0 ? -0.5f : 0.5f)); /* no libm: freestanding */
      rounded = rounded > 127 ? 127 : (rounded < -127 ? -127 : rounded);
      q[j] = (int8_t)rounded;
      sum += rounded;
    }
    __builtin_memcpy(out, &scale, sizeof scale);
    __builtin_memcpy(out + 4, &sum, sizeof sum);
  }
}

static inline float uk_dot_any(int64_t dtype, const uint8_t *act, const uint8_t *w, int64_t blocks, int64_t block) {
  switch (dtype) {
    case EDGE_DTYPE_Q8_0: return uk_dot(EDGE_DTYPE_Q8_0, act, w, blocks, block);
    case EDGE_DTYPE_Q4_0: return uk_dot(EDGE_DTYPE_Q4_0, act, w, blocks, block);
    default: return uk_dot(EDGE_DTYPE_Q4_1, act, w, blocks, block);
  }
}

/* Row r of the [B, M, K] operand (r = b * M + m) and element (r, j) of the [B, M, N] result. */
static inline const float *uk_row(const edge_uk_memref3d_f32 *t, int64_t r) {
  return t->aligned + t->offset + (r / t->sizes[1]) * t->strides[0] + (r % t->sizes[1]) * t->strides[1];
}
static inline float *uk_at(edge_uk_memref3d_f32 *t, int64_t r, int64_t j) {
  return t->aligned + t->offset + (r / t->sizes[1]) * t->strides[0] + (r % t->sizes[1]) * t->strides[1] + j * t->strides[2];
}

void UK_ENTRY(EDGE_UK_QMATMUL_ARGS) {
  const int64_t m = a->sizes[0] * a->sizes[1], k = a->sizes[2], n = c->sizes[2];
  if (m <= 0 || n <= 0 || k <= 0 || block <= 0) return;
  const int64_t blocks = k / block;
  const int64_t act_row = blocks * EDGE_UK_ACT_BLOCK_BYTES(block);
  const int64_t w_row = blocks * (int64_t)edge_weights_block_bytes((uint32_t)dtype, (uint64_t)block);
  uint8_t *act = (uint8_t *)(scratch->aligned + scratch->offset);
  const uint8_t *weights = (const uint8_t *)(w->aligned + w->offset);

  for (int64_t r = 0; r < m; ++r) uk_quantize_row(uk_row(a, r), a->strides[2], blocks, block, act + r * act_row);

  for (int64_t n0 = 0; n0 < n; n0 += UK_N_TILE) {
    const int64_t n1 = n0 + UK_N_TILE < n ? n0 + UK_N_TILE : n;
    int64_t r = 0;
#ifdef UK_HAS_DOT2X2
    for (; r + 1 < m; r += 2) {
      const uint8_t *act0 = act + r * act_row, *act1 = act0 + act_row;
      int64_t j = n0;
      for (; j + 1 < n1; j += 2) {
        float out[4];
        const uint8_t *w0 = weights + j * w_row, *w1 = w0 + w_row;
        switch (dtype) {
          case EDGE_DTYPE_Q8_0: uk_dot2x2(EDGE_DTYPE_Q8_0, act0, act1, w0, w1, blocks, block, out); break;
          case EDGE_DTYPE_Q4_0: uk_dot2x2(EDGE_DTYPE_Q4_0, act0, act1, w0, w1, blocks, block, out); break;
          default: uk_dot2x2(EDGE_DTYPE_Q4_1, act0, act1, w0, w1, blocks, block, out); break;
        }
        *uk_at(c, r, j) = out[0];
        *uk_at(c, r, j + 1) = out[1];
        *uk_at(c, r + 1, j) = out[2];
        *uk_at(c, r + 1, j + 1) = out[3];
      }
      for (; j < n1; ++j) {
        *uk_at(c, r, j) = uk_dot_any(dtype, act0, weights + j * w_row, blocks, block);
        *uk_at(c, r + 1, j) = uk_dot_any(dtype, act1, weights + j * w_row, blocks, block);
      }
    }
#endif
    for (; r < m; ++r)
      for (int64_t j = n0; j < n1; ++j) *uk_at(c, r, j) = uk_dot_any(dtype, act + r * act_row, weights + j * w_row, blocks, block);
  }
}

void UK_DEQUANT_ENTRY(EDGE_UK_DEQUANT_ROWS_ARGS) {
  const int64_t count = indices->sizes[0] * indices->sizes[1], width = out->sizes[2];
  if (count <= 0 || block <= 0 || block > EDGE_UK_MAX_BLOCK || width % block != 0) return;
  const int64_t block_bytes = (int64_t)edge_weights_block_bytes((uint32_t)dtype, (uint64_t)block);
  const int64_t row_bytes = width / block * block_bytes;
  const uint8_t *data = (const uint8_t *)(table->aligned + table->offset);
  float values[EDGE_UK_MAX_BLOCK];
  for (int64_t i = 0; i < count; ++i) {
    const int64_t b = i / indices->sizes[1], t = i % indices->sizes[1];
    int64_t id = indices->aligned[indices->offset + b * indices->strides[0] + t * indices->strides[1]];
    if (id < 0) id += rows;
    const uint8_t *source = id >= 0 && id < rows ? data + id * row_bytes : 0;
    for (int64_t start = 0; start < width; start += block) {
      if (source) edge_dequantize_row((uint32_t)dtype, source + start / block * block_bytes, block, block, values);
      for (int64_t j = 0; j < block; ++j) *uk_at(out, i, start + j) = source ? values[j] : 0.0f;
    }
  }
}

#endif /* EDGE_UKERNELS_QMATMUL_DRIVER_H_ */
