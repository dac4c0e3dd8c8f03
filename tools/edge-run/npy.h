/* Minimal .npy (NumPy format 1.0/2.0) reading and writing for edge-run: little-endian,
 * C-order arrays of the dtypes in edge_dtype_t. */
#ifndef EDGE_RUN_NPY_H_
#define EDGE_RUN_NPY_H_

#include "edge/edgert.h"

/* Reads `path` into a malloc'ed tensor (tensor->data). Returns NULL or an error status. */
edge_status_t npy_read(const char *path, edge_tensor_t *out_tensor);
/* Writes `tensor` to `path`. */
edge_status_t npy_write(const char *path, const edge_tensor_t *tensor);

#endif /* EDGE_RUN_NPY_H_ */
