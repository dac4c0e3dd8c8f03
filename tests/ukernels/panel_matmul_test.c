/*
 * panel_matmul_test — every f32 panel-matmul ukernel variant built for this architecture
 * against a reference computed here in double precision.
 *
 *   panel_matmul_test [VARIANT...]     (default: every variant this CPU can run)
 *
 * For panel widths that take the vector paths (8, 16, 32, 64) and one that does not (12),
 * row counts from a single decode row to odd prefill counts, panel counts that leave a
 * partial work item, and K from 1 to past the kernel's K slice (256), it checks
 *   - C + A W against double precision: within 1e-6 of sum |a w| per value (f32 rounding
 *     of K products); and without accumulating, the same bits as accumulating onto zeros
 *     whatever C held;
 *   - the promise of panel_matmul.h, bit for bit: each row computed alone equals the same
 *     row computed among the others; work run through parallel_for backwards equals one
 *     thread; a strided C and a strided A give the same bits as contiguous ones; panels
 *     stored with gaps between them (the scalar path) give the same bits as packed ones;
 *   - that nothing between or around C's values is written (sentinels).
 * Exits 1 on the first failure, naming the variant and shape.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ukernels/panel_matmul.h"
#include "cpu_has.h"

typedef void (*panel_fn)(EDGE_UK_PANEL_MATMUL_ARGS);

typedef struct variant_t {
  const char *name;
  panel_fn fn;
  int (*supported)(void);
} variant_t;

static void backwards(void *context, int64_t count, void (*fn)(void *args, int64_t item), void *args) {
  (void)context;
  for (int64_t item = count - 1; item >= 0; --item) fn(args, item);
}
static const edge_model_imports_t kBackwards = {.parallel_for = backwards};

#if defined(__x86_64__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_panel_matmul_generic, always},
                                      {"avx2", _mlir_ciface_edge_uk_panel_matmul_avx2, has_avx2},
                                      {"avx512vnni", _mlir_ciface_edge_uk_panel_matmul_avx512vnni, has_vnni}};
#elif defined(__aarch64__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_panel_matmul_generic, always},
                                      {"dotprod", _mlir_ciface_edge_uk_panel_matmul_dotprod, has_dotprod},
                                      {"i8mm", _mlir_ciface_edge_uk_panel_matmul_i8mm, has_i8mm}};
#elif defined(__arm__)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_panel_matmul_generic, always},
                                      {"neon", _mlir_ciface_edge_uk_panel_matmul_neon, has_neon}};
#elif defined(__riscv)
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_panel_matmul_generic, always},
                                      {"rvv", _mlir_ciface_edge_uk_panel_matmul_rvv, has_rvv}};
#else
static const variant_t kVariants[] = {{"generic", _mlir_ciface_edge_uk_panel_matmul_generic, always}};
#endif

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static float uniform(void) { /* in [-1, 1) */
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return (float)((rng_state >> 40) / 8388608.0) - 1.0f;
}

#define SENTINEL -12345.0f

static edge_uk_memref3d_f32 view(float *data, int64_t s0, int64_t s1, int64_t s2, int64_t t0, int64_t t1, int64_t t2) {
  edge_uk_memref3d_f32 v;
  v.allocated = v.aligned = data;
  v.offset = 0;
  v.sizes[0] = s0, v.sizes[1] = s1, v.sizes[2] = s2;
  v.strides[0] = t0, v.strides[1] = t1, v.strides[2] = t2;
  return v;
}

/* C (rows x n, column stride cs, row stride n * cs) := C0, then the kernel (adding to C0 or not). */
static void run(const variant_t *variant, const float *a, int64_t rows, int64_t k, int64_t as, const float *w,
                int64_t panels, int64_t width, int64_t panel_stride, const float *c0, float *c, int64_t n, int64_t cs,
                const edge_model_imports_t *imports, int64_t accumulate) {
  for (int64_t i = 0; i < rows * n * cs; ++i) c[i] = SENTINEL;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) c[(r * n + j) * cs] = c0[r * n + j];
  edge_uk_memref3d_f32 av = view((float *)a, 1, rows, k, rows * k * as, k * as, as);
  edge_uk_memref3d_f32 wv = view((float *)w, panels, k, width, panel_stride, width, 1);
  edge_uk_memref3d_f32 cv = view(c, 1, rows, n, rows * n * cs, n * cs, cs);
  variant->fn(&av, &wv, &cv, accumulate, imports);
}

static int same_bits(const float *x, int64_t xs, const float *y, int64_t ys, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (memcmp(&x[i * xs], &y[i * ys], sizeof(float)) != 0) return 0;
  return 1;
}

static int check(const variant_t *variant, int64_t m, int64_t k, int64_t panels, int64_t width) {
  const int64_t n = panels * width, gap = 5; /* floats between panels in the spread copy */
  float *a = malloc(sizeof(float) * m * k * 2), *w = malloc(sizeof(float) * n * k);
  float *spread = malloc(sizeof(float) * panels * (k * width + gap)), *c0 = malloc(sizeof(float) * m * n);
  float *c = malloc(sizeof(float) * m * n * 2), *other = malloc(sizeof(float) * m * n * 2);
  for (int64_t i = 0; i < m * k * 2; ++i) a[i] = uniform();
  for (int64_t i = 0; i < n * k; ++i) w[i] = uniform();
  for (int64_t i = 0; i < m * n; ++i) c0[i] = uniform();
  for (int64_t p = 0; p < panels; ++p) memcpy(spread + p * (k * width + gap), w + p * k * width, sizeof(float) * k * width);
  const char *failure = NULL;

  run(variant, a, m, k, 1, w, panels, width, k * width, c0, c, n, 1, NULL, 1);
  for (int64_t r = 0; r < m && !failure; ++r)
    for (int64_t j = 0; j < n && !failure; ++j) {
      double exact = c0[r * n + j], magnitude = fabs(c0[r * n + j]);
      for (int64_t kk = 0; kk < k; ++kk) {
        double product = (double)a[r * k + kk] * w[(j / width) * k * width + kk * width + j % width];
        exact += product, magnitude += fabs(product);
      }
      if (fabs(c[r * n + j] - exact) > 1e-6 * magnitude + 1e-30) failure = "differs from double precision";
    }
  for (int64_t r = 0; r < m && !failure; ++r) { /* row r alone */
    run(variant, a + r * k, 1, k, 1, w, panels, width, k * width, c0 + r * n, other, n, 1, NULL, 1);
    if (!same_bits(other, 1, c + r * n, 1, n)) failure = "a row alone differs from the same row among others";
  }
  if (!failure) {
    run(variant, a, m, k, 1, w, panels, width, k * width, c0, other, n, 1, &kBackwards, 1);
    if (!same_bits(other, 1, c, 1, m * n)) failure = "parallel_for (backwards) differs from one thread";
  }
  if (!failure) {
    run(variant, a, m, k, 1, w, panels, width, k * width, c0, other, n, 2, NULL, 1);
    if (!same_bits(other, 2, c, 1, m * n)) failure = "a strided C differs from a contiguous one";
    for (int64_t i = 0; i < m * n && !failure; ++i)
      if (other[2 * i + 1] != SENTINEL) failure = "wrote between a strided C's values";
  }
  if (!failure) {
    float *strided = malloc(sizeof(float) * m * k * 2);
    for (int64_t i = 0; i < m * k; ++i) strided[2 * i] = a[i], strided[2 * i + 1] = NAN;
    run(variant, strided, m, k, 2, w, panels, width, k * width, c0, other, n, 1, NULL, 1);
    if (!same_bits(other, 1, c, 1, m * n)) failure = "a strided A differs from a contiguous one";
    free(strided);
  }
  if (!failure) {
    run(variant, a, m, k, 1, spread, panels, width, k * width + gap, c0, other, n, 1, NULL, 1);
    if (!same_bits(other, 1, c, 1, m * n)) failure = "panels with gaps (scalar path) differ from packed ones";
  }
  if (!failure) { /* not accumulating: C's values (here c0's) are ignored, the sums start at +0 */
    float *zeros = calloc((size_t)(m * n), sizeof(float)), *summed = malloc(sizeof(float) * m * n);
    run(variant, a, m, k, 1, w, panels, width, k * width, zeros, summed, n, 1, NULL, 1);
    run(variant, a, m, k, 1, w, panels, width, k * width, c0, other, n, 1, NULL, 0);
    if (!same_bits(other, 1, summed, 1, m * n)) failure = "not accumulating differs from accumulating onto zeros";
    if (!failure) {
      run(variant, a, m, k, 1, spread, panels, width, k * width + gap, c0, other, n, 1, NULL, 0);
      if (!same_bits(other, 1, summed, 1, m * n)) failure = "not accumulating differs on the scalar path";
    }
    free(zeros), free(summed);
  }
  if (failure)
    fprintf(stderr, "FAIL %s: M %lld K %lld panels %lld x %lld: %s\n", variant->name, (long long)m, (long long)k,
            (long long)panels, (long long)width, failure);
  free(a), free(w), free(spread), free(c0), free(c), free(other);
  return failure != NULL;
}

static int run_variant(const variant_t *variant) {
  static const int64_t widths[] = {8, 16, 32, 64, 12};
  static const int64_t shapes[][3] = {{1, 1, 1},  {1, 64, 9}, {2, 17, 3}, {4, 64, 8}, {5, 33, 5},
                                      {6, 48, 2}, {7, 16, 7}, {13, 40, 4}, {1, 256, 16}, {7, 600, 3}, {13, 520, 2}};
  int cases = 0;
  for (size_t wi = 0; wi < sizeof widths / sizeof *widths; ++wi)
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s, ++cases)
      if (check(variant, shapes[s][0], shapes[s][1], shapes[s][2], widths[wi])) return 1;
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
      fprintf(stderr, "panel_matmul_test: no variant '%s' on this architecture\n", argv[j]);
      status = 1;
    }
  }
  return status;
}
