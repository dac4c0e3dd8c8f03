/*
 * .npy inputs from arbitrary bytes: npy_read (edge-run's reader) must refuse what is
 * malformed or whose shape does not match its data, and a tensor it returns holds every
 * element its dims promise (each is read, so ASan sees a short buffer).
 */
#include "fuzz_file.h"

#include "edge/edgert.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_file(data, size, path, sizeof path);
  edge_tensor_t tensor = {0};
  edge_status_t status = npy_read(path, &tensor);
  close(fd);
  if (status) {
    edge_status_free(status);
    return 0;
  }
  uint64_t elements = 1;
  for (uint32_t i = 0; i < tensor.rank; ++i) elements *= (uint64_t)tensor.dims[i];
  const uint64_t bytes = elements * edge_dtype_size(tensor.dtype);
  volatile uint8_t sink = 0;
  for (uint64_t i = 0; i < bytes; ++i) sink ^= ((const uint8_t *)tensor.data)[i];
  (void)sink;
  free(tensor.data);
  return 0;
}
