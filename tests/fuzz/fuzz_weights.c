/*
 * NAME.weights from arbitrary bytes: edge_weights_open, with and without checksum
 * verification, must refuse what is malformed and, when it accepts a file, hand out only
 * tensors that lie inside it (every byte of each is read, so ASan sees a read past it).
 */
#include "fuzz_file.h"

#include <string.h>

#include "edge/edgert.h"

static void read_every_tensor(const edge_weights_t *weights) {
  volatile uint8_t sink = 0;
  (void)edge_weights_fingerprint(weights);
  const uint32_t count = edge_weights_tensor_count(weights);
  for (uint32_t i = 0; i <= count; ++i) { /* one past the end too: an error, not a read */
    const char *name = NULL;
    size_t name_size = 0;
    const void *data = NULL;
    uint64_t size = 0;
    edge_status_t status = edge_weights_tensor_get(weights, i, &name, &name_size, &data, &size);
    if (status) {
      edge_status_free(status);
      continue;
    }
    for (size_t j = 0; j < name_size; ++j) sink ^= (uint8_t)name[j];
    for (uint64_t j = 0; j < size; ++j) sink ^= ((const uint8_t *)data)[j];
  }
  (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_file(data, size, path, sizeof path);
  for (uint32_t flags = 0; flags <= EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS; flags += EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS) {
    edge_weights_t *weights = NULL;
    edge_status_t status = edge_weights_open(path, flags, &weights);
    if (status) {
      if (weights) abort(); /* a failed open leaves nothing behind */
      edge_status_free(status);
      continue;
    }
    read_every_tensor(weights);
    edge_weights_release(weights);
  }
  /* The same bytes from the descriptor and from memory: the same verdict as by path. */
  edge_weights_t *by_path = NULL, *by_fd = NULL, *in_memory = NULL;
  edge_status_t path_status = edge_weights_open(path, EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &by_path);
  edge_status_t fd_status = edge_weights_open_fd(fd, 0, 0, EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &by_fd);
  void *copy = NULL;
  if (posix_memalign(&copy, 64, size ? size : 1) != 0) abort();
  if (size) memcpy(copy, data, size);
  edge_status_t memory_status = edge_weights_open_memory(copy, size, EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &in_memory);
  if (!path_status != !fd_status || !path_status != !memory_status) abort();
  if (in_memory) read_every_tensor(in_memory);
  edge_status_free(path_status);
  edge_status_free(fd_status);
  edge_status_free(memory_status);
  edge_weights_release(by_path);
  edge_weights_release(by_fd);
  edge_weights_release(in_memory);
  free(copy);
  close(fd);
  return 0;
}
