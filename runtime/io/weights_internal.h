/* The weights handle's fields, shared inside the runtime. */
#ifndef EDGE_IO_WEIGHTS_INTERNAL_H_
#define EDGE_IO_WEIGHTS_INTERNAL_H_

#include "edge/edgert.h"
#include "edge/weights_format.h"

struct edge_weights_s {
  uint32_t magic; /* EDGE_HANDLE_WEIGHTS (base/handle.h) */
  void *mapping;         /* this library's mmap, or NULL for the caller's memory */
  uint64_t mapping_size;
  const uint8_t *base;   /* the file's first byte (inside the mapping, or the caller's) */
  const edge_weights_header_t *header;
  const edge_weights_entry_t *entries;
  const uint8_t *data; /* start of the data section */
};

/* Copies the data section to `out` (a device buffer's host mapping) a chunk at a time and
 * lets go of each copied chunk's file pages in this process, so the weights are resident
 * once (in the copy) rather than twice. The mapping stays valid: a later read of it faults
 * the pages back in from the file. */
void edge_weights_copy_data(const edge_weights_t *weights, void *out);

#endif /* EDGE_IO_WEIGHTS_INTERNAL_H_ */
