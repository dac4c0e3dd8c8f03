/* Internal helpers to build edge_status_t values. */
#ifndef EDGE_BASE_STATUS_H_
#define EDGE_BASE_STATUS_H_

#include "edge/edgert.h"

/* edge_make_status is public (edge/edgert.h); the runtime's own helpers follow. */

#define EDGE_RETURN_IF_ERROR(expr)    \
  do {                                \
    edge_status_t edge_status_ = (expr); \
    if (edge_status_) return edge_status_; \
  } while (0)

#endif /* EDGE_BASE_STATUS_H_ */
