/*
 * base/memref.h — MLIR's ranked memref descriptor, as generated code passes it to C
 * functions declared with `llvm.emit_c_interface` (a pointer to this struct per operand).
 * Freestanding: the ukernels use it too.
 */
#ifndef EDGE_BASE_MEMREF_H_
#define EDGE_BASE_MEMREF_H_

#include <stdint.h>

#define EDGE_MEMREF_DESCRIPTOR(name, element, rank) \
  typedef struct name {                             \
    element *allocated, *aligned;                   \
    int64_t offset, sizes[rank], strides[rank];     \
  } name

#endif /* EDGE_BASE_MEMREF_H_ */
