/*
 * ukernels/panel_matmul.h — matmul of f32 rows by an f32 weight stored in column panels.
 *
 *   C[m, n] = (accumulate ? C[m, n] : 0) + sum_k A[m, k] * W[n / P, k, n % P]
 *
 * W is [N / P, K, P]: edge-pack-weights stores each P-wide column panel of the [K, N]
 * matrix as one contiguous run, so a panel streams from memory once per call (decode, one
 * row) or stays in cache while every row passes over it (prefill). Each output value is
 * its C value (or +0) plus the products for k = 0, 1, ..., K - 1 in that order, one multiply-add
 * each (fused where the variant's instruction set has FMA): which rows or columns are
 * computed alongside it, and on which thread, never changes its bits.
 *
 * Built into every ukernel variant (Variants.cmake) from the same source; a variant sets
 * the vector width and register tiles. Freestanding: no libc calls.
 */
#ifndef EDGE_UKERNELS_PANEL_MATMUL_H_
#define EDGE_UKERNELS_PANEL_MATMUL_H_

#include <stdint.h>

#include "base/memref.h"
#include "edge/codegen_abi.h"
#include "ukernels/qmatmul.h"

/*
 * a: [B, M, K] (any strides), w: [N / P, K, P] (any strides; contiguous panels with P a
 * multiple of the variant's vector width take the vector path), c: [B, M, N] (any
 * strides), added to when `accumulate` is non-zero, else only written. The B x M rows
 * are one matrix. The caller (generated code)
 * guarantees the shapes. `imports`: the run's import table; the kernel splits the panels
 * over its parallel_for (NULL, or no parallel_for: the calling thread does it all).
 */
#define EDGE_UK_PANEL_MATMUL_ARGS                                                              \
  const edge_uk_memref3d_f32 *a, const edge_uk_memref3d_f32 *w, edge_uk_memref3d_f32 *c,       \
      int64_t accumulate, const edge_model_imports_t *imports

void _mlir_ciface_edge_uk_panel_matmul_generic(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_dotprod(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_i8mm(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_avx2(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_avx512vnni(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_neon(EDGE_UK_PANEL_MATMUL_ARGS);
void _mlir_ciface_edge_uk_panel_matmul_rvv(EDGE_UK_PANEL_MATMUL_ARGS);

#endif /* EDGE_UKERNELS_PANEL_MATMUL_H_ */
