/*
 * ukernels/qmatmul.h — matmul of f32 activations by block-quantized weights.
 *
 *   C[m, n] = sum_k A[m, k] * W[n, k]        W in edge/weights_format.h's q8_0/q4_0/q4_1
 *
 * Activations are quantized on the fly to int8 in blocks of the weights' block size (one
 * f32 scale per block, round to nearest), so each block's products are one integer dot
 * product: sdot/smmla on AArch64, vpmaddubsw or vpdpbusd on x86-64.
 *
 * These kernels are compiled to LLVM bitcode, one variant per instruction set, and edgec
 * links the variant the target's features allow into the model's object code (the
 * generated code calls it through MLIR's C interface, hence the descriptor arguments). The
 * same sources build natively for the unit tests. Freestanding: no libc calls.
 */
#ifndef EDGE_UKERNELS_QMATMUL_H_
#define EDGE_UKERNELS_QMATMUL_H_

#include <stdint.h>

#include "base/memref.h"
#include "edge/codegen_abi.h"

/* MLIR's ranked memref descriptors (what `llvm.emit_c_interface` passes by pointer). */
EDGE_MEMREF_DESCRIPTOR(edge_uk_memref3d_f32, float, 3);
EDGE_MEMREF_DESCRIPTOR(edge_uk_memref1d_i8, int8_t, 1);

/* Bytes of one quantized activation block: f32 scale, int32 sum of q, int8 q[block]. */
#define EDGE_UK_ACT_BLOCK_BYTES(block) (8 + (block))

/*
 * a: [B, M, K] (any strides), w: the weights bytes ([N, K / block] blocks of `dtype`), c:
 * [B, M, N] (any strides); the B x M rows are one matrix. scratch: at least
 * B * M * K / block * EDGE_UK_ACT_BLOCK_BYTES(block) bytes.
 * `dtype` is EDGE_DTYPE_Q8_0, _Q4_0 or _Q4_1; `block` a multiple of 16 dividing K. The
 * caller (generated code) guarantees shapes and sizes. `imports`: the run's import table
 * (generated code passes its own); the kernel splits its work with the table's
 * parallel_for, in tiles of output columns, so C is the same bits for every thread count.
 * NULL, or no parallel_for: the calling thread does it all.
 */
#define EDGE_UK_QMATMUL_ARGS                                                                 \
  const edge_uk_memref3d_f32 *a, const edge_uk_memref1d_i8 *w, edge_uk_memref3d_f32 *c,    \
      edge_uk_memref1d_i8 *scratch, int64_t dtype, int64_t block, const edge_model_imports_t *imports

/* The largest block the kernels take (pre-quantized models use 16..256). */
#define EDGE_UK_MAX_BLOCK 256

void _mlir_ciface_edge_uk_qmatmul_generic(EDGE_UK_QMATMUL_ARGS);
void _mlir_ciface_edge_uk_qmatmul_dotprod(EDGE_UK_QMATMUL_ARGS);   /* AArch64 +dotprod */
void _mlir_ciface_edge_uk_qmatmul_i8mm(EDGE_UK_QMATMUL_ARGS);      /* AArch64 +dotprod+i8mm */
void _mlir_ciface_edge_uk_qmatmul_avx2(EDGE_UK_QMATMUL_ARGS);      /* x86-64 AVX2+FMA+F16C */
void _mlir_ciface_edge_uk_qmatmul_avx512vnni(EDGE_UK_QMATMUL_ARGS); /* x86-64 + AVX512VL/VNNI */
void _mlir_ciface_edge_uk_qmatmul_neon(EDGE_UK_QMATMUL_ARGS);      /* ARMv7-A NEON */
void _mlir_ciface_edge_uk_qmatmul_rvv(EDGE_UK_QMATMUL_ARGS);       /* RISC-V V */

EDGE_MEMREF_DESCRIPTOR(edge_uk_memref2d_i64, int64_t, 2);

/*
 * Embedding lookup in a block-quantized table of `rows` rows: out[b, i, :] = the dequantized
 * row indices[b, i] (negative ids count from the end; ids outside [-rows, rows) give
 * zeros). out is [B, count, width], width a multiple of `block`.
 */
#define EDGE_UK_DEQUANT_ROWS_ARGS                                                            \
  const edge_uk_memref2d_i64 *indices, const edge_uk_memref1d_i8 *table, edge_uk_memref3d_f32 *out, \
      int64_t dtype, int64_t block, int64_t rows

void _mlir_ciface_edge_uk_dequant_rows_generic(EDGE_UK_DEQUANT_ROWS_ARGS);

#endif /* EDGE_UKERNELS_QMATMUL_H_ */
