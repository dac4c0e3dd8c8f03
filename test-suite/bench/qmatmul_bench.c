/*
 * qmatmul_bench — the quantized decode matmuls of one token of the 1B bench model alone:
 * every matmul of its 22 layers (q, k, v, o, gate, up, down) and the logits projection,
 * one activation row each, through the native ukernel variant on the runtime's thread
 * pool. The weights (random nibbles, sane scales) are laid out as edgec writes them for
 * the variant (_x4 rows) and are far larger than the caches, so the figure is how fast
 * the kernel streams weights; set it beside `bandwidth THREADS` and beside a whole
 * decode step (bench_1b.py) to see what the rest of the step costs.
 *
 *   qmatmul_bench q4_0|q8_0 THREADS [TOKENS]
 *       prints "<format> <threads> threads: <GB/s> GB/s, <tokens/s> matmul-only tok/s"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/thread_pool.h"
#include "edge/weights_format.h"
#include "ukernels/qmatmul.h"

enum { LAYERS = 22, HIDDEN = 2048, KV = 256, FF = 5632, VOCAB = 32000, BLOCK = 32 };

typedef struct matmul_t {
  int64_t n, k;
  uint8_t *weights;
} matmul_t;

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + now.tv_nsec * 1e-9;
}

static void pool_item(void *context, int64_t item, uint32_t worker) {
  (void)worker;
  void **forward = context;
  ((void (*)(void *, int64_t))forward[0])(forward[1], item);
}

static void pool_parallel_for(void *context, int64_t count, void (*fn)(void *, int64_t), void *args) {
  void *forward[2] = {(void *)fn, args};
  edge_thread_pool_run((edge_thread_pool_t *)context, count, pool_item, forward);
}

/* Random weight bytes with every block's f16 scales set to 2^-7 (no NaN or denormal). */
static uint8_t *make_weights(uint32_t dtype, int64_t n, int64_t k, uint64_t *seed) {
  const uint64_t block_bytes = edge_weights_block_bytes(dtype, BLOCK), header = 2;
  const uint64_t bytes = (uint64_t)n * (uint64_t)(k / BLOCK) * block_bytes;
  uint8_t *w = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!w) return NULL;
  for (uint64_t i = 0; i < bytes; ++i) {
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    w[i] = (uint8_t)(*seed >> 56);
  }
  const uint16_t scale = 0x2000; /* 2^-7 */
  for (uint64_t group = 0; group < bytes; group += 4 * block_bytes) /* _x4: four rows' d first */
    for (uint64_t h = 0; h < 4 * header; h += 2) memcpy(w + group + h, &scale, 2);
  return w;
}

int main(int argc, char **argv) {
  const char *format = argc >= 3 ? argv[1] : "";
  const int threads = argc >= 3 ? atoi(argv[2]) : 0, tokens = argc >= 4 ? atoi(argv[3]) : 16;
  const uint32_t dtype = !strcmp(format, "q4_0") ? EDGE_DTYPE_Q4_0_X4 : !strcmp(format, "q8_0") ? EDGE_DTYPE_Q8_0_X4 : 0;
  if (!dtype || threads < 1 || threads > 256 || tokens < 1) {
    fprintf(stderr, "usage: qmatmul_bench q4_0|q8_0 THREADS [TOKENS]\n");
    return 2;
  }
  void (*kernel)(EDGE_UK_QMATMUL_ARGS) = NULL;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw"))
    kernel = _mlir_ciface_edge_uk_qmatmul_avx512vnni;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    kernel = _mlir_ciface_edge_uk_qmatmul_avx2;
  if (!kernel) {
    fprintf(stderr, "qmatmul_bench: this CPU has neither AVX512-VNNI nor AVX2\n");
    return 1;
  }

  const int64_t shapes[7][2] = {{HIDDEN, HIDDEN}, {KV, HIDDEN}, {KV, HIDDEN}, {HIDDEN, HIDDEN},
                                {FF, HIDDEN},     {FF, HIDDEN}, {HIDDEN, FF}};
  enum { COUNT = LAYERS * 7 + 1 };
  static matmul_t matmuls[COUNT];
  uint64_t seed = 1, bytes = 0;
  for (int i = 0; i < COUNT; ++i) {
    matmuls[i].n = i < LAYERS * 7 ? shapes[i % 7][0] : VOCAB;
    matmuls[i].k = i < LAYERS * 7 ? shapes[i % 7][1] : HIDDEN;
    matmuls[i].weights = make_weights(dtype, matmuls[i].n, matmuls[i].k, &seed);
    if (!matmuls[i].weights) {
      fprintf(stderr, "qmatmul_bench: out of memory\n");
      return 1;
    }
    bytes += (uint64_t)matmuls[i].n * (uint64_t)(matmuls[i].k / BLOCK) * edge_weights_block_bytes(dtype, BLOCK);
  }

  static float input[FF], output[VOCAB];
  static int8_t scratch[FF / BLOCK * EDGE_UK_ACT_BLOCK_BYTES(BLOCK)];
  for (int i = 0; i < FF; ++i) input[i] = (float)((i * 37) % 101 - 50) / 50.0f;
  edge_thread_pool_t *pool = NULL;
  if (edge_thread_pool_create((uint32_t)threads, &pool)) {
    fprintf(stderr, "qmatmul_bench: cannot start %d threads\n", threads);
    return 1;
  }
  edge_model_imports_t imports;
  memset(&imports, 0, sizeof imports);
  imports.context = pool;
  imports.parallel_for = pool_parallel_for;

  double best = 1e30;
  for (int token = 0; token <= tokens; ++token) { /* token 0 warms up */
    const double start = seconds();
    for (int i = 0; i < COUNT; ++i) {
      const matmul_t *m = &matmuls[i];
      edge_uk_memref3d_f32 a = {input, input, 0, {1, 1, m->k}, {m->k, m->k, 1}};
      edge_uk_memref3d_f32 c = {output, output, 0, {1, 1, m->n}, {m->n, m->n, 1}};
      edge_uk_memref1d_i8 w = {(int8_t *)m->weights, (int8_t *)m->weights, 0, {0}, {1}};
      edge_uk_memref1d_i8 s = {scratch, scratch, 0, {(int64_t)sizeof scratch}, {1}};
      kernel(&a, &w, &c, &s, dtype, BLOCK, &imports);
    }
    const double elapsed = seconds() - start;
    if (token > 0 && elapsed < best) best = elapsed;
  }
  printf("%s %d threads: %.1f GB/s, %.1f matmul-only tok/s (%.0f MB of weights per token, best of %d)\n", format,
         threads, (double)bytes / best / 1e9, 1.0 / best, (double)bytes / 1e6, tokens);
  edge_thread_pool_release(pool);
  return output[0] != output[0]; /* keeps the results alive */
}
