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
 *   optionally UK_HAS_DOT1X4 and uk_dot1x4(dtype, act, w[4], blocks, block, out[4])
 *                           one row by four weight rows, for blocks of a multiple of 32
 *                           values; it then gets every column (of any row count), and the
 *                           q4_0/q4_1 activations come with each run of 32 values in the
 *                           order the weights' nibbles unpack to (uk_act_slot)
 *   optionally UK_HAS_QUANTIZE_BLOCK and uk_quantize_block(row, block, permuted, out)
 *                           one block of contiguous activations quantized into `out`
 *                           exactly as uk_quantize_row's loop below does (same float
 *                           operations, so the same bytes), only faster
 *   UK_ROW_GROUP (Variants.cmake passes it): 4 if uk_dot1x4 also takes the _x4 formats
 *                           (four rows interleaved, edge/weights_format.h; then w[0] is the
 *                           group and w[1..3] follow it by a row's bytes each), else 1
 * uk_dot/uk_dot2x2/uk_dot1x4 are called with a constant dtype so each format gets its own loop.
 *
 * Work is split into tiles of output columns (and, to quantize the activations, rows) run
 * through the import table's parallel_for; a column's value never depends on its tile, on
 * which thread computes it, or on how many there are.
 */
#ifndef EDGE_UKERNELS_QMATMUL_DRIVER_H_
#define EDGE_UKERNELS_QMATMUL_DRIVER_H_

#include "edge/model_abi.h"
#include "edge/weights_format.h"
#include "ukernels/qmatmul.h"
#include "edge/quantize.h"

#ifndef UK_ROW_GROUP
#define UK_ROW_GROUP 1
#endif
#if UK_ROW_GROUP == 4 && !defined(UK_HAS_DOT1X4)
#error "a variant that reads four interleaved rows needs uk_dot1x4"
#endif

#define UK_PASTE(a, b) a##b
#define UK_NAME(kernel, variant) UK_PASTE(kernel, variant)
#define UK_ENTRY UK_NAME(_mlir_ciface_edge_uk_qmatmul_, UK_VARIANT)
#define UK_DEQUANT_ENTRY UK_NAME(_mlir_ciface_edge_uk_dequant_rows_, UK_VARIANT)

/* Columns per tile: a tile's weight rows stay in cache while every activation row visits.
 * Wide matrices take tiles of UK_N_TILE_WIDE, so that each thread streams long runs of
 * weights (the hardware prefetcher restarts at every tile) and there are still tens of
 * tiles to balance. */
#define UK_N_TILE 16
#define UK_N_TILE_WIDE 64

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

/* Where value j of a block goes in the quantized activations: in order, except for the
 * q4 formats under a 1x4 kernel, where each run of 32 is [0..7, 16..23, 8..15, 24..31]:
 * the low nibbles of a 32-value run's 16 bytes hold values 0..7 and 16..23
 * (edge/weights_format.h), the high nibbles the others, so a kernel multiplies the low
 * nibbles by the first 16 activations and the high by the last 16, unshuffled. */
static inline int64_t uk_act_slot(int permuted, int64_t j) {
  if (!permuted) return j;
  const int64_t group = j & 24;
  return group == 8 ? j + 8 : group == 16 ? j - 8 : j;
}

/* Quantizes one row of `k` values read with `stride` into blocks of EDGE_UK_ACT_BLOCK_BYTES. */
static void uk_quantize_row(const float *row, int64_t stride, int64_t blocks, int64_t block, int permuted, uint8_t *out) {
#ifdef UK_HAS_QUANTIZE_BLOCK
  if (stride == 1) {
    for (int64_t b = 0; b < blocks; ++b) uk_quantize_block(row + b * block, block, permuted, out + b * EDGE_UK_ACT_BLOCK_BYTES(block));
    return;
  }
#endif
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
      q[uk_act_slot(permuted, j)] = (int8_t)rounded;
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

/* One call's shapes and buffers, shared by its work items. */
typedef struct uk_job_t {
  const edge_uk_memref3d_f32 *a;
  edge_uk_memref3d_f32 *c;
  uint8_t *act; /* the quantized activations, act_row bytes per row */
  const uint8_t *weights;
  int64_t dtype, block, blocks, m, n, act_row, w_row, tile;
  int wide; /* the 1x4 kernel takes every column */
} uk_job_t;

static void uk_quantize_item(void *raw, int64_t r) {
  const uk_job_t *job = (const uk_job_t *)raw;
  const int permuted = job->wide && edge_weights_base_dtype((uint32_t)job->dtype) != EDGE_DTYPE_Q8_0;
  uk_quantize_row(uk_row(job->a, r), job->a->strides[2], job->blocks, job->block, permuted, job->act + r * job->act_row);
}

#ifdef UK_HAS_DOT1X4
/* Columns [n0, n1) through the 1x4 kernel; a last group of fewer than four repeats its
 * last column's weights and keeps only the columns that exist. */
static void uk_tile_1x4(const uk_job_t *job, int64_t n0, int64_t n1) {
  for (int64_t j = n0; j < n1; j += 4) {
    const uint8_t *w[4];
    for (int64_t i = 0; i < 4; ++i) w[i] = job->weights + (j + i < n1 ? j + i : n1 - 1) * job->w_row;
    const int64_t columns = n1 - j < 4 ? n1 - j : 4;
    for (int64_t r = 0; r < job->m; ++r) {
      const uint8_t *act = job->act + r * job->act_row;
      float out[4];
      switch (job->dtype) {
        case EDGE_DTYPE_Q8_0: uk_dot1x4(EDGE_DTYPE_Q8_0, act, w, job->blocks, job->block, out); break;
        case EDGE_DTYPE_Q4_0: uk_dot1x4(EDGE_DTYPE_Q4_0, act, w, job->blocks, job->block, out); break;
#if UK_ROW_GROUP == 4
        case EDGE_DTYPE_Q8_0_X4: uk_dot1x4(EDGE_DTYPE_Q8_0_X4, act, w, job->blocks, job->block, out); break;
        case EDGE_DTYPE_Q4_0_X4: uk_dot1x4(EDGE_DTYPE_Q4_0_X4, act, w, job->blocks, job->block, out); break;
        case EDGE_DTYPE_Q4_1_X4: uk_dot1x4(EDGE_DTYPE_Q4_1_X4, act, w, job->blocks, job->block, out); break;
#endif
        default: uk_dot1x4(EDGE_DTYPE_Q4_1, act, w, job->blocks, job->block, out); break;
      }
      for (int64_t i = 0; i < columns; ++i) *uk_at(job->c, r, j + i) = out[i];
    }
  }
}
#endif

/* Output columns [tile * job->tile, ...) of every row. */
static void uk_tile_item(void *raw, int64_t tile) {
  const uk_job_t *job = (const uk_job_t *)raw;
  const int64_t n0 = tile * job->tile, n1 = n0 + job->tile < job->n ? n0 + job->tile : job->n;
  const int64_t m = job->m, dtype = job->dtype, blocks = job->blocks, block = job->block;
  const int64_t act_row = job->act_row, w_row = job->w_row;
  const uint8_t *act = job->act, *weights = job->weights;
  edge_uk_memref3d_f32 *c = job->c;
#ifdef UK_HAS_DOT1X4
  if (job->wide) {
    uk_tile_1x4(job, n0, n1);
    return;
  }
#endif
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

/* Runs fn over [0, count) on the run's threads, or here when there are none. */
static void uk_parallel(const edge_model_imports_t *imports, int64_t count, void (*fn)(void *, int64_t), void *job) {
  if (imports && imports->parallel_for && count > 1) {
    imports->parallel_for(imports->context, count, fn, job);
    return;
  }
  for (int64_t item = 0; item < count; ++item) fn(job, item);
}

void UK_ENTRY(EDGE_UK_QMATMUL_ARGS) {
  const int64_t m = a->sizes[0] * a->sizes[1], k = a->sizes[2], n = c->sizes[2];
  if (m <= 0 || n <= 0 || k <= 0 || block <= 0) return;
  /* Interleaved rows only reach the variants that read them (edgec picks the layout by
   * the variant), in groups of four and 32-value runs. */
  if (edge_weights_is_x4((uint32_t)dtype) && (UK_ROW_GROUP != 4 || n % 4 != 0 || block % 32 != 0)) return;
  uk_job_t job;
  job.a = a;
  job.c = c;
  job.act = (uint8_t *)(scratch->aligned + scratch->offset);
  job.weights = (const uint8_t *)(w->aligned + w->offset);
  job.dtype = dtype;
  job.block = block;
  job.blocks = k / block;
  job.m = m;
  job.n = n;
  job.act_row = job.blocks * EDGE_UK_ACT_BLOCK_BYTES(block);
  job.w_row = job.blocks * (int64_t)edge_weights_block_bytes((uint32_t)dtype, (uint64_t)block);
#ifdef UK_HAS_DOT1X4
  job.wide = block % 32 == 0;
#else
  job.wide = 0;
#endif
  uk_parallel(imports, m, uk_quantize_item, &job);
  job.tile = n >= 16 * UK_N_TILE_WIDE ? UK_N_TILE_WIDE : UK_N_TILE;
  uk_parallel(imports, (n + job.tile - 1) / job.tile, uk_tile_item, &job);
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
