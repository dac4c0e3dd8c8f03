#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct edge_status_s {
  edge_status_code_t code;
  int is_static;
  char message[];
};

/* Returned when a status cannot be allocated; edge_status_free ignores it. */
static struct {
  struct edge_status_s status;
  char text[32];
} oom_status = {{EDGE_STATUS_RESOURCE_EXHAUSTED, 1}, "out of memory"};

edge_status_t edge_make_status(edge_status_code_t code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (length < 0) length = 0;
  edge_status_t status = edge_mem_alloc(sizeof(*status) + (size_t)length + 1);
  if (!status) return &oom_status.status;
  status->code = code;
  status->is_static = 0;
  va_start(args, format);
  vsnprintf(status->message, (size_t)length + 1, format, args);
  va_end(args);
  return status;
}

edge_status_code_t edge_status_code(edge_status_t status) {
  return status ? status->code : EDGE_STATUS_OK;
}

const char *edge_status_message(edge_status_t status) { return status ? status->message : ""; }

void edge_status_free(edge_status_t status) {
  if (status && !status->is_static) edge_mem_free(status);
}

const char *edge_status_code_name(edge_status_code_t code) {
  switch (code) {
    case EDGE_STATUS_OK: return "OK";
    case EDGE_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case EDGE_STATUS_NOT_FOUND: return "NOT_FOUND";
    case EDGE_STATUS_DATA_LOSS: return "DATA_LOSS";
    case EDGE_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case EDGE_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case EDGE_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case EDGE_STATUS_INTERNAL: return "INTERNAL";
  }
  return "UNKNOWN";
}
