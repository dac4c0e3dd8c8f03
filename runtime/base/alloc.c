/* The runtime's allocator: the C library's, or the one the app installed with
 * edge_set_allocator before anything else (blocks of one allocator must never reach
 * another's free, so it is not switched while the runtime holds memory). */
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "edge/edgert.h"

static void *libc_alloc(void *user, size_t size) {
  (void)user;
  return malloc(size);
}
static void *libc_realloc(void *user, void *pointer, size_t size) {
  (void)user;
  return realloc(pointer, size);
}
static void libc_free(void *user, void *pointer) {
  (void)user;
  free(pointer);
}
static void *libc_aligned_alloc(void *user, size_t alignment, size_t size) {
  (void)user;
  return aligned_alloc(alignment, size);
}

static const edge_allocator_t kLibc = {libc_alloc, libc_realloc, libc_free, libc_aligned_alloc, NULL};
static edge_allocator_t current = {libc_alloc, libc_realloc, libc_free, libc_aligned_alloc, NULL};

edge_status_t edge_set_allocator(const edge_allocator_t *allocator) {
  if (allocator && (!allocator->alloc || !allocator->realloc || !allocator->free || !allocator->aligned_alloc))
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_set_allocator: alloc, realloc, free and "
                                                          "aligned_alloc must all be set");
  current = allocator ? *allocator : kLibc;
  return NULL;
}

void *edge_mem_alloc(size_t size) { return current.alloc(current.user, size ? size : 1); }

void *edge_mem_calloc(size_t count, size_t size) {
  if (size && count > (size_t)-1 / size) return NULL;
  size_t bytes = count * size;
  void *pointer = edge_mem_alloc(bytes);
  if (pointer) memset(pointer, 0, bytes);
  return pointer;
}

void *edge_mem_realloc(void *pointer, size_t size) {
  if (!pointer) return edge_mem_alloc(size);
  return current.realloc(current.user, pointer, size ? size : 1);
}

void *edge_mem_aligned_alloc(size_t alignment, size_t size) {
  return current.aligned_alloc(current.user, alignment, size ? size : alignment);
}

void edge_mem_free(void *pointer) {
  if (!pointer) return;
  current.free(current.user, pointer);
}

void edge_free(void *pointer) { edge_mem_free(pointer); }

char *edge_mem_strdup(const char *text) {
  size_t n = strlen(text) + 1;
  char *copy = edge_mem_alloc(n);
  if (copy) memcpy(copy, text, n);
  return copy;
}
