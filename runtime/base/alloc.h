/* Internal: every allocation of libedgert and libedgetok goes through these, so that the
 * app's allocator (edge_set_allocator, edge/edgert.h) gets them all. */
#ifndef EDGE_BASE_ALLOC_H_
#define EDGE_BASE_ALLOC_H_

#include <stddef.h>

void *edge_mem_alloc(size_t size);
void *edge_mem_calloc(size_t count, size_t size);
void *edge_mem_realloc(void *pointer, size_t size);
/* `size` a multiple of `alignment`, a power of two (as C11's aligned_alloc wants). */
void *edge_mem_aligned_alloc(size_t alignment, size_t size);
void edge_mem_free(void *pointer);
/* A NUL-terminated copy of `text`. */
char *edge_mem_strdup(const char *text);

#endif /* EDGE_BASE_ALLOC_H_ */
