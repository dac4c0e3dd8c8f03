/* Liveness marks on the runtime's public handles.
 *
 * Each handle struct begins with a magic word naming its type, set when the handle is
 * created and overwritten when it is released. *_release checks it first, so releasing a
 * handle twice (or passing a pointer that is no handle of that type) stops the process
 * with the function's name instead of corrupting the heap and crashing somewhere later.
 * This is best effort, as edge/edgert.h says: once the allocator hands the freed memory to
 * a new handle of the same type, the two cannot be told apart. */
#ifndef EDGE_BASE_HANDLE_H_
#define EDGE_BASE_HANDLE_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum {
  EDGE_HANDLE_WEIGHTS = 0x45574754u, /* four letters each, readable in a memory dump */
  EDGE_HANDLE_GRAPH = 0x45475248u,
  EDGE_HANDLE_LM = 0x454c4d5fu,
  EDGE_HANDLE_SESSION = 0x45534553u,
  EDGE_HANDLE_KV_POOL = 0x454b5650u,
  EDGE_HANDLE_KV_SEQ = 0x454b5653u,
  EDGE_HANDLE_TOKENIZER = 0x45544f4bu,
  EDGE_HANDLE_DETOKENIZER = 0x45445453u,
  EDGE_HANDLE_STOP_FILTER = 0x45535446u,
  EDGE_HANDLE_CHAT_TEMPLATE = 0x45435448u,
  EDGE_HANDLE_RELEASED = 0x44454144u,
};

/* Aborts, naming `function`, unless `magic` marks a live handle of type `expected`; then
 * marks it released. Called by each release function before it frees anything. */
static inline void edge_handle_retire(uint32_t *magic, uint32_t expected, const char *function) {
  if (*magic != expected) {
    fprintf(stderr, "%s: %s\n", function,
            *magic == EDGE_HANDLE_RELEASED ? "the handle was released already"
                                           : "not a live handle of this type (released already, or never created)");
    abort();
  }
  *magic = EDGE_HANDLE_RELEASED;
}

#endif /* EDGE_BASE_HANDLE_H_ */
