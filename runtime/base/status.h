/* Internal helpers to build edge_status_t values. */
#ifndef EDGE_BASE_STATUS_H_
#define EDGE_BASE_STATUS_H_

#include "edge/edgert.h"

#if defined(__GNUC__)
#define EDGE_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define EDGE_PRINTF_LIKE(f, a)
#endif

/* A new status with a printf-formatted message; never NULL for a non-OK code (falls back
 * to a static out-of-memory status). */
edge_status_t edge_make_status(edge_status_code_t code, const char *format, ...)
    EDGE_PRINTF_LIKE(2, 3);

#define EDGE_RETURN_IF_ERROR(expr)    \
  do {                                \
    edge_status_t edge_status_ = (expr); \
    if (edge_status_) return edge_status_; \
  } while (0)

#endif /* EDGE_BASE_STATUS_H_ */
