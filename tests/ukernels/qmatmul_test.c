/*
 * qmatmul_test — every qmatmul ukernel variant built for this architecture against
 * references computed here in double precision.
 *
 *   qmatmul_test [VARIANT...]     (default: every variant this CPU can run)
 *
 * For q8_0/q4_0/q4_1, blocks of 16, 32, 64 and 256 values and shapes from a single row
 * (decode) to odd row and column counts (the 2x2 kernels' edges), it checks
 *   - against the exact arithmetic the kernels promise (activations quantized per block to
 *     int8 with scale max|a|/127, integer block dots, f32 scales): relative 1e-5;
 *   - against plain f32 math with the dequantized weights: within the activation
 *     quantization's error bound (0.5/127 of each block's max|a| per value);
 *   - that nothing outside the output (strided, so with gaps) and the scratch is written:
 *     sentinel bytes around and between them;
 *   - for the variants that read them (x86-64 AVX2 and AVX512-VNNI), the same with the
 *     weights in the _x4 formats (rows interleaved by four; N a multiple of 4);
 *   - that work split through the import table's parallel_for (here run backwards, as
 *     another thread count might order it) gives the same bits as one thread;
 *   - that activations read with a stride (the portable quantization loop) give the same
 *     bits as contiguous ones (a variant's vectorized quantization, if it has one).
 * Exits 1 on the first failure, naming the variant, format, block and shape.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/weights_format.h"
#include "ukernels/qmatmul.h"
#include "cpu_has.h"
#include "edge/quantize.h"

typedef void (*qmatmul_fn)(EDGE_UK_QMATMUL_ARGS);

typedef struct variant_t {
  const char *name;
  qmatmul_fn fn;
  int (*supported)(void);
  int row_group; /* 4: also takes the _x4 formats (Variants.cmake's weight rows) */
} variant_t;

/* parallel_for that runs the items last to first: any order must give the same bits. */
static void backwards(void *context, int64_t count, void (*fn)(void *args, int64_t item), void *args) {
  (void)context;
  for (int64_t item = count - 1; item >= 0; --item) fn(args, item);
}
static const edge_model_imports_t kBackwards = {.parallel_for = backwards};
#if defined(__x86_64__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_qmatmul_generic, always, 1},
                                      {"avx2", _mlir_ciface_edge_uk_qmatmul_avx2, has_avx2, 4},
                                      {"avx512vnni", _mlir_ciface_edge_uk_qmatmul_avx512vnni, has_vnni, 4}};
#elif defined(__aarch64__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_qmatmul_generic, always, 1},
                                      {"dotprod", _mlir_ciface_edge_uk_qmatmul_dotprod, has_dotprod, 1},
                                      {"i8mm", _mlir_ciface_edge_uk_qmatmul_i8mm, has_i8mm, 1}};
#elif defined(__arm__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_qmatmul_generic, always, 1},
                                      {"neon", _mlir_ciface_edge_uk_qmatmul_neon, has_neon, 1}};
#elif defined(__riscv)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_qmatmul_generic, always, 1},
                                      {"rvv", _mlir_ciface_edge_uk_qmatmul_rvv, has_rvv, 1}};
#else
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_qmatmul_generic, always, 1}};
#endif

#define SENTINEL 0xA5
#define GUARD 64 /* sentinel bytes before and after each written buffer */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float uniform(void) { /* in [-1, 1) */
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return (float)((rng_state >> 40) / 8388608.0) - 1.0f;
}

static int guard_intact(const uint8_t *bytes, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (bytes[i] != SENTINEL) return 0;
  return 1;
}

static const char *dtype_name(uint32_t dtype) { return edge_dtype_name(dtype); }

/* One case; returns 0 on success. */
static int check(const variant_t *variant, uint32_t dtype, int64_t block, int64_t m, int64_t n, int64_t k) {
  const int64_t blocks = k / block, w_row = blocks * (int64_t)edge_weights_block_bytes(dtype, (uint64_t)block);
  const int64_t lda = k + 5, ldc = n + 3; /* strided rows: gaps the kernel must not touch */
  float *a = malloc(sizeof(float) * (size_t)(m * lda));
  float *w_f32 = malloc(sizeof(float) * (size_t)(n * k)), *w_deq = malloc(sizeof(float) * (size_t)(n * k));
  uint8_t *w = malloc((size_t)(n * w_row));
  size_t c_bytes = sizeof(float) * (size_t)(m * ldc), scratch_bytes = (size_t)(m * blocks * EDGE_UK_ACT_BLOCK_BYTES(block));
  uint8_t *c_raw = malloc(c_bytes + 2 * GUARD), *scratch_raw = malloc(scratch_bytes + 2 * GUARD);
  for (int64_t i = 0; i < m * lda; ++i) a[i] = 3.0f * uniform() + (i % 7 == 0 ? 0.5f : 0.0f);
  /* In odd rows every block holds 127 (its scale is then exactly 1) and values halfway
   * between integers, where rounding modes differ. */
  for (int64_t r = 1; r < m; r += 2)
    for (int64_t i = 0; i < k; ++i)
      if (i % 16 == 3) a[r * lda + i] = 127.0f;
      else if (i % 16 == 5) a[r * lda + i] = (float)(i % 9) - 4.5f;
  for (int64_t i = 0; i < n * k; ++i) w_f32[i] = 0.2f * uniform() + (dtype == EDGE_DTYPE_Q4_1 ? 0.05f : 0.0f);
  const uint32_t base = edge_weights_base_dtype(dtype);
  for (int64_t j = 0; j < n; ++j) {
    edge_quantize_row(base, w_f32 + j * k, k, block, w + j * w_row);
    edge_dequantize_row(base, w + j * w_row, k, block, w_deq + j * k);
  }
  if (edge_weights_is_x4(dtype)) { /* the plain rows, four at a time, into their groups */
    uint8_t *plain = malloc((size_t)(4 * w_row));
    for (int64_t j = 0; j < n; j += 4) {
      memcpy(plain, w + j * w_row, (size_t)(4 * w_row));
      const uint8_t *four[4] = {plain, plain + w_row, plain + 2 * w_row, plain + 3 * w_row};
      edge_weights_interleave4(base, (uint64_t)blocks, (uint64_t)block, four, w + j * w_row);
    }
    free(plain);
  }
  memset(c_raw, SENTINEL, c_bytes + 2 * GUARD);
  memset(scratch_raw, SENTINEL, scratch_bytes + 2 * GUARD);
  float *c = (float *)(c_raw + GUARD);

  /* Rows as [B, M / B] where M is even, to cover the batch dim's strides too. */
  const int64_t batch = m % 2 == 0 ? 2 : 1;
  edge_uk_memref3d_f32 a_desc = {a, a, 0, {batch, m / batch, k}, {m / batch * lda, lda, 1}};
  edge_uk_memref1d_i8 w_desc = {(int8_t *)w, (int8_t *)w, 0, {n * w_row}, {1}};
  edge_uk_memref3d_f32 c_desc = {c, c, 0, {batch, m / batch, n}, {m / batch * ldc, ldc, 1}};
  edge_uk_memref1d_i8 s_desc = {(int8_t *)scratch_raw, (int8_t *)scratch_raw, GUARD, {(int64_t)scratch_bytes}, {1}};
  variant->fn(&a_desc, &w_desc, &c_desc, &s_desc, dtype, block, NULL);
  float *serial = malloc(c_bytes);
  memcpy(serial, c, c_bytes);
  variant->fn(&a_desc, &w_desc, &c_desc, &s_desc, dtype, block, &kBackwards);
  float *c_strided = malloc(c_bytes);
  { /* the same activations every other float */
    float *spread = malloc(sizeof(float) * (size_t)(m * k * 2));
    for (int64_t r = 0; r < m; ++r)
      for (int64_t i = 0; i < k; ++i) spread[(r * k + i) * 2] = a[r * lda + i], spread[(r * k + i) * 2 + 1] = 0.0f;
    float *saved = malloc(c_bytes);
    memcpy(saved, c, c_bytes);
    edge_uk_memref3d_f32 spread_desc = {spread, spread, 0, {batch, m / batch, k}, {m / batch * k * 2, k * 2, 2}};
    variant->fn(&spread_desc, &w_desc, &c_desc, &s_desc, dtype, block, NULL);
    memcpy(c_strided, c, c_bytes);
    memcpy(c, saved, c_bytes);
    free(saved), free(spread);
  }

  /* The weights from row 4 on: every column is then computed in another group of four
   * or eight (kernels that take eight rows at once pair them differently), and must come
   * out the same bits. */
  float *shifted = NULL;
  if (n > 4) {
    float *saved = malloc(c_bytes);
    memcpy(saved, c, c_bytes);
    edge_uk_memref1d_i8 tail_desc = {(int8_t *)w, (int8_t *)w, 4 * w_row, {(n - 4) * w_row}, {1}};
    edge_uk_memref3d_f32 tail_c = {c, c, 4, {batch, m / batch, n - 4}, {m / batch * ldc, ldc, 1}};
    variant->fn(&a_desc, &tail_desc, &tail_c, &s_desc, dtype, block, &kBackwards);
    shifted = malloc(c_bytes);
    memcpy(shifted, c, c_bytes);
    memcpy(c, saved, c_bytes);
    free(saved);
  }

  int failed = 0;
  char where[160];
  snprintf(where, sizeof where, "%s %s block %lld, M %lld N %lld K %lld", variant->name, dtype_name(dtype),
           (long long)block, (long long)m, (long long)n, (long long)k);
  if (!guard_intact(c_raw, GUARD) || !guard_intact(c_raw + GUARD + c_bytes, GUARD) ||
      !guard_intact(scratch_raw, GUARD) || !guard_intact(scratch_raw + GUARD + scratch_bytes, GUARD)) {
    fprintf(stderr, "FAIL %s: wrote outside the output or scratch buffer\n", where);
    failed = 1;
  }
  for (int64_t r = 0; r < m && !failed; ++r) {
    if (memcmp(serial + r * ldc, c + r * ldc, sizeof(float) * (size_t)n) != 0) {
      fprintf(stderr, "FAIL %s: row %lld differs when the tiles run in another order\n", where, (long long)r);
      failed = 1;
    }
    if (memcmp(serial + r * ldc, c_strided + r * ldc, sizeof(float) * (size_t)n) != 0) {
      fprintf(stderr, "FAIL %s: row %lld differs when the activations are read with a stride\n", where, (long long)r);
      failed = 1;
    }
    if (shifted && memcmp(serial + r * ldc + 4, shifted + r * ldc + 4, sizeof(float) * (size_t)(n - 4)) != 0) {
      fprintf(stderr, "FAIL %s: row %lld differs when its columns start four rows later\n", where, (long long)r);
      failed = 1;
    }
  }
  free(serial), free(c_strided), free(shifted);
  for (int64_t r = 0; r < m && !failed; ++r) {
    for (int64_t j = n; j < ldc; ++j) /* the row gaps */
      if (!guard_intact((const uint8_t *)(c + r * ldc + j), sizeof(float))) {
        fprintf(stderr, "FAIL %s: wrote into the gap after row %lld\n", where, (long long)r);
        failed = 1;
      }
    for (int64_t j = 0; j < n && !failed; ++j) {
      const float *ar = a + r * lda, *wr = w_deq + j * k;
      double exact = 0.0, plain = 0.0, bound = 0.0, magnitude = 0.0;
      for (int64_t b = 0; b < k; b += block) {
        float amax = 0.0f;
        for (int64_t i = b; i < b + block; ++i) amax = fmaxf(amax, fabsf(ar[i]));
        float da = amax / 127.0f, inverse = amax > 0 ? 127.0f / amax : 0.0f;
        for (int64_t i = b; i < b + block; ++i) {
          int32_t q = edge_round_to_int(ar[i] * inverse);
          exact += (double)da * q * wr[i];
          plain += (double)ar[i] * wr[i];
          bound += 0.5 * da * fabs(wr[i]);
          magnitude += fabs((double)ar[i] * wr[i]);
        }
      }
      double got = c[r * ldc + j];
      if (fabs(got - exact) > 1e-5 * magnitude + 1e-6 || fabs(got - plain) > bound * 1.01 + 1e-5 * magnitude) {
        fprintf(stderr, "FAIL %s: C[%lld, %lld] = %.7g, expected %.7g (quantized activations) / %.7g (f32)\n", where,
                (long long)r, (long long)j, got, exact, plain);
        failed = 1;
      }
    }
  }
  free(a), free(w_f32), free(w_deq), free(w), free(c_raw), free(scratch_raw);
  return failed;
}

static int run_variant(const variant_t *variant) {
  static const uint32_t dtypes[] = {EDGE_DTYPE_Q8_0, EDGE_DTYPE_Q4_0, EDGE_DTYPE_Q4_1};
  static const int64_t blocks[] = {16, 32, 64, 256};
  static const int64_t shapes[][3] = {{1, 1, 256}, {1, 37, 512}, {2, 2, 256},  {3, 5, 256},
                                      {4, 16, 768}, {7, 33, 256}, {1, 70, 1024}, {2, 3, 512},
                                      {1, 64, 512}, {3, 12, 256}};
  static const uint32_t x4_dtypes[] = {EDGE_DTYPE_Q8_0_X4, EDGE_DTYPE_Q4_0_X4, EDGE_DTYPE_Q4_1_X4};
  int cases = 0;
  for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; ++d)
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; ++b)
      for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s, ++cases)
        if (check(variant, dtypes[d], blocks[b], shapes[s][0], shapes[s][1], shapes[s][2])) return 1;
  for (size_t d = 0; variant->row_group == 4 && d < sizeof x4_dtypes / sizeof *x4_dtypes; ++d)
    for (size_t b = 1; b < sizeof blocks / sizeof *blocks; ++b) /* blocks of 32 and more */
      for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s)
        if (shapes[s][1] % 4 == 0 && (++cases, check(variant, x4_dtypes[d], blocks[b], shapes[s][0], shapes[s][1], shapes[s][2])))
          return 1;
  printf("%-10s %d cases passed\n", variant->name, cases);
  return 0;
}

int main(int argc, char **argv) {
  const size_t count = sizeof kVariants / sizeof *kVariants;
  int status = 0;
  for (size_t i = 0; i < count; ++i) {
    int wanted = argc == 1;
    for (int j = 1; j < argc; ++j) wanted |= strcmp(argv[j], kVariants[i].name) == 0;
    if (!wanted) continue;
    if (!kVariants[i].supported()) {
      if (argc > 1) {
        fprintf(stderr, "FAIL %s: asked for, but this CPU lacks its instructions\n", kVariants[i].name);
        status = 1;
      } else {
        printf("%-10s skipped: this CPU lacks its instructions\n", kVariants[i].name);
      }
      continue;
    }
    status |= run_variant(&kVariants[i]);
  }
  for (int j = 1; j < argc; ++j) {
    int known = 0;
    for (size_t i = 0; i < count; ++i) known |= strcmp(argv[j], kVariants[i].name) == 0;
    if (!known) {
      fprintf(stderr, "qmatmul_test: no variant '%s' on this architecture\n", argv[j]);
      status = 1;
    }
  }
  return status;
}
