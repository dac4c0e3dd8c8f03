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
 * refuses a file whose header, table or model disagree. Each entry carries the FNV-1a 64
 * checksum of its bytes, checked on request (EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS).
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
#define EDGE_WEIGHTS_VERSION 1u
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
 */
static inline uint64_t edge_weights_block_bytes(uint32_t dtype, uint64_t block) {
  switch (dtype) {
    case EDGE_DTYPE_Q8_0: return 2 + block;
    case EDGE_DTYPE_Q4_0: return 2 + block / 2;
    case EDGE_DTYPE_Q4_1: return 4 + block / 2;
    default: return 0;
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
  uint64_t checksum;    /* FNV-1a 64 of the tensor's bytes */
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
