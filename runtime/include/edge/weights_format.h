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

#define EDGE_WEIGHTS_MAGIC "EDGEWTS1" /* 8 bytes, no NUL */
#define EDGE_WEIGHTS_VERSION 1u
#define EDGE_WEIGHTS_ALIGNMENT 64u
#define EDGE_WEIGHTS_MAX_RANK 4u

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
  uint64_t data_size;   /* == element size x product(dims) */
  uint64_t checksum;    /* FNV-1a 64 of the tensor's bytes */
  uint64_t reserved;
} edge_weights_entry_t; /* 80 bytes */

#endif /* EDGE_WEIGHTS_FORMAT_H_ */
