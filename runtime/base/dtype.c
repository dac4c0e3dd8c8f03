/* Element types: their sizes (edge/edgert.h; their names are edge_dtype_name in edge/model_abi.h). */
#include "edge/edgert.h"

size_t edge_dtype_size(uint32_t dtype) {
  switch (dtype) {
    case EDGE_DTYPE_F32: case EDGE_DTYPE_I32: return 4;
    case EDGE_DTYPE_F16: return 2;
    case EDGE_DTYPE_I64: case EDGE_DTYPE_F64: return 8;
    case EDGE_DTYPE_I8: case EDGE_DTYPE_U8: case EDGE_DTYPE_BOOL: return 1;
    default: return 0;
  }
}

int64_t edge_tensor_element_count(const edge_tensor_t *tensor) {
  int64_t count = 1;
  for (uint32_t i = 0; i < tensor->rank && i < EDGE_MAX_RANK; ++i)
    if (tensor->dims[i] < 0 || __builtin_mul_overflow(count, tensor->dims[i], &count)) return -1;
  return count;
}
