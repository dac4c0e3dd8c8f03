/*
 * edge/weights_format.h — the NAME.weights container, version 1.
 *
 * One file, mmap-able, read-only; the byte layout of each tensor IS the layout the compiled
 * kernels read, so the runtime never repacks or copies. All integers are little-endian.
 *
 *   offset 0     edge_weights_header_t (64 bytes)
 *   table_offset tensor_count x edge_weights_entry_t (80 bytes each)
 *   names_offset names_size bytes of tensor names (not NUL-terminated; see entries)
 *   data_offset  the data section, 64-byte aligned; every tensor starts at a 64-byte
 *                aligned offset *relative to data_offset*; data_size bytes long
 *
 * The fingerprint identifies the model the file belongs to: the 64-bit FNV-1a hash of the
 * tensor table bytes followed by the names block (so it covers names, dtypes, shapes,
 * offsets, sizes and per-tensor checksums). The compiled code carries the same value
 * (edge_model_desc_t.weights_fingerprint); the runtime recomputes it from the file and
 * refuses a file whose header, table or model disagree. Each entry carries the checksum of
 * its bytes (edge/checksum.h), checked on request (EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS;
 * `edgec run` asks by default).
 *
 * Readers must check, before touching any data: the magic and version, that the file is at
 * least as long as every (offset, size) pair says, that every tensor range lies inside the
 * data section, and that each size matches dtype x shape.
 */
#ifndef EDGE_WEIGHTS_FORMAT_H_
#define EDGE_WEIGHTS_FORMAT_H_

#include <stdint.h>

#include "edge/model_abi.h"

#define EDGE_WEIGHTS_MAGIC "EDGEWTS1" /* 8 bytes, no NUL */
#define EDGE_WEIGHTS_VERSION 2u /* 2: tensor checksums of edge/checksum.h (1: FNV-1a) */
#define EDGE_WEIGHTS_ALIGNMENT 64u
#define EDGE_WEIGHTS_MAX_RANK 4u

/*
 * Block-quantized tensors (dtype EDGE_DTYPE_Q8_0, _Q4_0, _Q4_1) have dims [N, blocks, block]:
 * N rows (a matmul's output channels), each holding K = blocks x block values of the
 * reduction dim, cut into blocks of `block` values (a multiple of 16; 32 unless the model
 * came pre-quantized). Rows are contiguous, blocks within a row are contiguous. A block is
 *   q8_0: f16 d, int8 q[block]                 value = d * q
 *   q4_0: f16 d, uint8 nibbles[block / 2]      value = d * (nibble - 8)
 *   q4_1: f16 d, f16 m, uint8 nibbles[block/2] value = d * nibble + m
 * with the nibbles in runs of 16 values: byte j of a run holds value j in its low half and
 * value j + 8 in its high half (so one 8-byte load and two masks give 16 values in order).
 * f16 is IEEE binary16, little-endian. Blocks are byte-packed (no padding).
 *
 * The _X4 dtypes (q8_0x4, q4_0x4, q4_1x4) hold the same blocks, N a multiple of 4 and
 * `block` of 32, with each group of four rows interleaved block by block, so that a kernel
 * computing four outputs reads one sequential stream: for rows 4g..4g+3 and block b,
 *   the four rows' f16 d, [q4_1: the four rows' f16 m,] then per run of 32 values of the
 *   block, the four rows' bytes of that run (16 nibble bytes each, or 32 int8)
 * (4 x the block's bytes; groups follow one another, blocks within a group too).
 */
static inline uint32_t edge_weights_base_dtype(uint32_t dtype) {
  switch (dtype) {
    case EDGE_DTYPE_Q8_0_X4: return EDGE_DTYPE_Q8_0;
    case EDGE_DTYPE_Q4_0_X4: return EDGE_DTYPE_Q4_0;
    case EDGE_DTYPE_Q4_1_X4: return EDGE_DTYPE_Q4_1;
    default: return dtype;
  }
}

static inline int edge_weights_is_x4(uint32_t dtype) { return edge_weights_base_dtype(dtype) != dtype; }

static inline uint32_t edge_weights_x4_dtype(uint32_t dtype) {
  switch (dtype) {
    case EDGE_DTYPE_Q8_0: return EDGE_DTYPE_Q8_0_X4;
    case EDGE_DTYPE_Q4_0: return EDGE_DTYPE_Q4_0_X4;
    case EDGE_DTYPE_Q4_1: return EDGE_DTYPE_Q4_1_X4;
    default: return 0;
  }
}

static inline uint64_t edge_weights_block_bytes(uint32_t dtype, uint64_t block) {
  switch (edge_weights_base_dtype(dtype)) {
    case EDGE_DTYPE_Q8_0: return 2 + block;
    case EDGE_DTYPE_Q4_0: return 2 + block / 2;
    case EDGE_DTYPE_Q4_1: return 4 + block / 2;
    default: return 0;
  }
}

/* Four rows of `blocks` blocks of base dtype `dtype` (q8_0, q4_0 or q4_1; block a multiple
 * of 32), each laid out as above for a plain tensor, into their _X4 group at `out`. */
static inline void edge_weights_interleave4(uint32_t dtype, uint64_t blocks, uint64_t block,
                                            const uint8_t *const rows[4], uint8_t *out) {
  const uint64_t block_bytes = edge_weights_block_bytes(dtype, block);
  const uint64_t header = dtype == EDGE_DTYPE_Q4_1 ? 4 : 2;
  const uint64_t run = dtype == EDGE_DTYPE_Q8_0 ? 32 : 16; /* bytes of 32 values */
  for (uint64_t b = 0; b < blocks; ++b) {
    for (uint64_t h = 0; h < header; h += 2)
      for (int r = 0; r < 4; ++r, out += 2) __builtin_memcpy(out, rows[r] + b * block_bytes + h, 2);
    for (uint64_t start = header; start < block_bytes; start += run)
      for (int r = 0; r < 4; ++r, out += run) __builtin_memcpy(out, rows[r] + b * block_bytes + start, run);
  }
}

/* The blocks of 32 values (the default block size) as C structs; other block sizes have
 * the same heads with `block` values or block / 2 nibble bytes after them. */
typedef struct edge_block_q8_0_t {
  uint16_t d; /* f16 scale */
  int8_t q[32];
} edge_block_q8_0_t;

typedef struct edge_block_q4_0_t {
  uint16_t d; /* f16 scale */
  uint8_t nibbles[16];
} edge_block_q4_0_t;

typedef struct edge_block_q4_1_t {
  uint16_t d, m; /* f16 scale and minimum */
  uint8_t nibbles[16];
} edge_block_q4_1_t;

typedef struct edge_weights_header_t {
  char magic[8];
  uint32_t version;
  uint32_t tensor_count;
  uint64_t fingerprint;
  uint64_t table_offset;
  uint64_t names_offset;
  uint64_t names_size;
  uint64_t data_offset;
  uint64_t data_size;
} edge_weights_header_t; /* 64 bytes */

typedef struct edge_weights_entry_t {
  uint32_t name_offset; /* into the names block */
  uint32_t name_size;
  uint32_t dtype; /* edge_dtype_t */
  uint32_t rank;  /* <= EDGE_WEIGHTS_MAX_RANK */
  int64_t dims[EDGE_WEIGHTS_MAX_RANK];
  uint64_t data_offset; /* relative to the data section, EDGE_WEIGHTS_ALIGNMENT-aligned */
  uint64_t data_size;   /* == element size x product(dims); for block-quantized dtypes,
                           dims[0] x dims[1] x edge_weights_block_bytes(dtype, dims[2]) */
  uint64_t checksum;    /* edge_checksum() of the tensor's bytes (edge/checksum.h) */
  uint64_t reserved;
} edge_weights_entry_t; /* 80 bytes */

/* The layout above, checked by every compiler that includes this header. */
#ifdef __cplusplus
#define EDGE_WEIGHTS_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define EDGE_WEIGHTS_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif
EDGE_WEIGHTS_STATIC_ASSERT(sizeof(edge_weights_header_t) == 64, "the weights header is 64 bytes");
EDGE_WEIGHTS_STATIC_ASSERT(sizeof(edge_weights_entry_t) == 80, "a tensor entry is 80 bytes");
EDGE_WEIGHTS_STATIC_ASSERT(sizeof(edge_block_q8_0_t) == 34, "a q8_0 block of 32 is 34 bytes");
EDGE_WEIGHTS_STATIC_ASSERT(sizeof(edge_block_q4_0_t) == 18, "a q4_0 block of 32 is 18 bytes");
EDGE_WEIGHTS_STATIC_ASSERT(sizeof(edge_block_q4_1_t) == 20, "a q4_1 block of 32 is 20 bytes");
#undef EDGE_WEIGHTS_STATIC_ASSERT

#endif /* EDGE_WEIGHTS_FORMAT_H_ */
