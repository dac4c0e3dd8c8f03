/* The weights handle's fields, shared inside the runtime. */
#ifndef EDGE_IO_WEIGHTS_INTERNAL_H_
#define EDGE_IO_WEIGHTS_INTERNAL_H_

#include "edge/edgert.h"
#include "edge/weights_format.h"

struct edge_weights_s {
  void *mapping;
  uint64_t mapping_size;
  const edge_weights_header_t *header;
  const edge_weights_entry_t *entries;
  const uint8_t *data; /* start of the data section */
};

#endif /* EDGE_IO_WEIGHTS_INTERNAL_H_ */
