/* NAME.weights reader: mmap read-only, validate everything before use (weights_format.h). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "edge/checksum.h"
#include "edge/fnv1a.h"
#include "base/handle.h"
#include "base/status.h"
#include "edge/weights_format.h"
#include "io/weights_internal.h"

_Static_assert(sizeof(edge_weights_header_t) == 64, "header layout");
_Static_assert(sizeof(edge_weights_entry_t) == 80, "entry layout");

/* True if [offset, offset + size) lies inside [0, limit). */
static int range_inside(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

static edge_status_t validate_entry(const char *path, const edge_weights_header_t *header,
                                    const edge_weights_entry_t *entry, uint32_t index) {
  if (!range_inside(entry->name_offset, entry->name_size, header->names_size))
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor %u: name [%u, +%u) outside the %llu-byte names block",
                            path, index, entry->name_offset, entry->name_size,
                            (unsigned long long)header->names_size);
  uint64_t block_bytes = 0;
  if (entry->rank == 3 && entry->dims[2] > 0 && entry->dims[2] % 16 == 0 && entry->dims[2] <= 4096)
    block_bytes = edge_weights_block_bytes(entry->dtype, (uint64_t)entry->dims[2]);
  size_t element_size = block_bytes ? (size_t)block_bytes : edge_dtype_size(entry->dtype);
  if (element_size == 0 && edge_weights_block_bytes(entry->dtype, 32) != 0)
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor %u: a block-quantized tensor needs dims [rows, blocks, "
                            "block] with block a multiple of 16",
                            path, index);
  if (element_size == 0)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: tensor %u: unknown dtype %u", path,
                            index, entry->dtype);
  if (edge_weights_is_x4(entry->dtype) && (entry->dims[0] % 4 != 0 || entry->dims[2] % 32 != 0))
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor %u: %s needs rows in groups of 4 and blocks of a multiple of 32 values, "
                            "not dims [%lld, %lld, %lld]",
                            path, index, edge_dtype_name(entry->dtype), (long long)entry->dims[0],
                            (long long)entry->dims[1], (long long)entry->dims[2]);
  if (entry->rank > EDGE_WEIGHTS_MAX_RANK)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: tensor %u: rank %u > %u", path, index,
                            entry->rank, EDGE_WEIGHTS_MAX_RANK);
  uint64_t expected = element_size;
  for (uint32_t d = 0; d < entry->rank - (block_bytes ? 1u : 0u); ++d) {
    if (entry->dims[d] < 0 || (entry->dims[d] > 0 && expected > UINT64_MAX / (uint64_t)entry->dims[d]))
      return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: tensor %u: bad dim %lld", path, index,
                              (long long)entry->dims[d]);
    expected *= (uint64_t)entry->dims[d];
  }
  if (entry->data_size != expected)
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor %u: size %llu, expected %llu from dtype and shape", path,
                            index, (unsigned long long)entry->data_size,
                            (unsigned long long)expected);
  if (entry->data_offset % EDGE_WEIGHTS_ALIGNMENT != 0 ||
      !range_inside(entry->data_offset, entry->data_size, header->data_size))
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor %u: data [%llu, +%llu) unaligned or outside the %llu-byte "
                            "data section",
                            path, index, (unsigned long long)entry->data_offset,
                            (unsigned long long)entry->data_size,
                            (unsigned long long)header->data_size);
  return NULL;
}

/* Validates the mapped file; `bytes` is `size` bytes long. */
static edge_status_t validate(const char *path, const uint8_t *bytes, uint64_t size,
                              uint32_t flags) {
  if (size < sizeof(edge_weights_header_t))
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: %llu bytes, shorter than the %zu-byte header",
                            path, (unsigned long long)size, sizeof(edge_weights_header_t));
  const edge_weights_header_t *header = (const edge_weights_header_t *)bytes;
  if (memcmp(header->magic, EDGE_WEIGHTS_MAGIC, 8) != 0)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: not an edgec weights file (bad magic)", path);
  if (header->version != EDGE_WEIGHTS_VERSION)
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: weights format version %u, expected %u (%s)", path, header->version,
                            EDGE_WEIGHTS_VERSION,
                            header->version < EDGE_WEIGHTS_VERSION ? "written by an older edgec: compile the model again"
                                                                   : "written by a newer edgec");
  uint64_t table_size = (uint64_t)header->tensor_count * sizeof(edge_weights_entry_t);
  const struct {
    const char *name;
    uint64_t offset, bytes;
  } sections[] = {{"tensor table", header->table_offset, table_size},
                  {"names", header->names_offset, header->names_size},
                  {"data", header->data_offset, header->data_size}};
  for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); ++i)
    if (!range_inside(sections[i].offset, sections[i].bytes, size)) /* offset and size: their sum may wrap */
      return edge_make_status(EDGE_STATUS_DATA_LOSS,
                              "%s: file is %llu bytes, but its header puts the %s section at offset %llu, "
                              "%llu bytes long (truncated or damaged)",
                              path, (unsigned long long)size, sections[i].name,
                              (unsigned long long)sections[i].offset, (unsigned long long)sections[i].bytes);
  if (header->table_offset % 8 != 0 || header->data_offset % EDGE_WEIGHTS_ALIGNMENT != 0)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: misaligned table or data section", path);

  const edge_weights_entry_t *entries = (const edge_weights_entry_t *)(bytes + header->table_offset);
  uint64_t fingerprint = edge_fnv1a_update(EDGE_FNV1A_INIT, entries, table_size);
  fingerprint = edge_fnv1a_update(fingerprint, bytes + header->names_offset, header->names_size);
  if (fingerprint != header->fingerprint)
    return edge_make_status(EDGE_STATUS_DATA_LOSS,
                            "%s: tensor table fingerprint %016llx, header says %016llx (corrupt)",
                            path, (unsigned long long)fingerprint,
                            (unsigned long long)header->fingerprint);
  for (uint32_t i = 0; i < header->tensor_count; ++i) {
    EDGE_RETURN_IF_ERROR(validate_entry(path, header, &entries[i], i));
    if (flags & EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS) {
      const uint8_t *data = bytes + header->data_offset + entries[i].data_offset;
      uint64_t checksum = edge_checksum(data, entries[i].data_size);
      if (checksum != entries[i].checksum)
        return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: tensor %u: checksum mismatch", path, i);
    }
  }
  return NULL;
}

/* Validates the file image at `base` and wraps it. `mapping` (mapping_size bytes, NULL for
 * the caller's memory) is this library's to unmap, also when validation fails. */
static edge_status_t wrap(const char *name, const uint8_t *base, uint64_t size, void *mapping, uint64_t mapping_size,
                          uint32_t flags, edge_weights_t **out_weights) {
  edge_status_t status = NULL;
  if ((uintptr_t)base % EDGE_WEIGHTS_ALIGNMENT != 0)
    status = edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "%s: the file's image starts at an address that is not a multiple of %u (its "
                              "tensors would be misaligned)",
                              name, EDGE_WEIGHTS_ALIGNMENT);
  if (!status) status = validate(name, base, size, flags);
  edge_weights_t *weights = status ? NULL : edge_mem_calloc(1, sizeof(*weights));
  if (!status && !weights) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (status) {
    if (mapping) munmap(mapping, mapping_size);
    return status;
  }
  weights->magic = EDGE_HANDLE_WEIGHTS;
  weights->mapping = mapping;
  weights->mapping_size = mapping_size;
  weights->base = base;
  weights->header = (const edge_weights_header_t *)base;
  weights->entries = (const edge_weights_entry_t *)(base + weights->header->table_offset);
  weights->data = base + weights->header->data_offset;
  /* Weights are read in layer order during a run; the kernel may read ahead. */
  if (mapping) madvise(mapping, mapping_size, MADV_WILLNEED);
  *out_weights = weights;
  return NULL;
}

/* Maps [offset, offset + size) of `fd` read-only (from the page that holds `offset`). */
static edge_status_t map_range(const char *name, int fd, uint64_t offset, uint64_t size, edge_weights_t **out_weights,
                               uint32_t flags) {
  const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
  const uint64_t start = offset / page * page, lead = offset - start;
  void *mapping = NULL;
  if (size > 0) {
    mapping = mmap(NULL, lead + size, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
    if (mapping == MAP_FAILED)
      return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "%s: mmap failed: %s", name, strerror(errno));
  }
  const uint8_t *base = mapping ? (const uint8_t *)mapping + lead : NULL;
  if (!mapping) {
    static _Alignas(EDGE_WEIGHTS_ALIGNMENT) const uint8_t kEmpty[EDGE_WEIGHTS_ALIGNMENT]; /* for validate to refuse */
    base = (const uint8_t *)kEmpty;
  }
  return wrap(name, base, size, mapping, mapping ? lead + size : 0, flags, out_weights);
}

edge_status_t edge_weights_open(const char *path, uint32_t flags, edge_weights_t **out_weights) {
  if (!out_weights) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_weights is NULL");
  *out_weights = NULL;
  if (!path) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "weights path is NULL");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return edge_make_status(errno == ENOENT ? EDGE_STATUS_NOT_FOUND : EDGE_STATUS_INVALID_ARGUMENT,
                            "%s: cannot open: %s", path, strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: not a regular file", path);
  }
  edge_status_t status = map_range(path, fd, 0, (uint64_t)info.st_size, out_weights, flags);
  close(fd); /* the mapping keeps the file alive */
  return status;
}

edge_status_t edge_weights_open_fd(int fd, uint64_t offset, uint64_t size, uint32_t flags,
                                   edge_weights_t **out_weights) {
  if (!out_weights) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_weights is NULL");
  *out_weights = NULL;
  char name[48];
  snprintf(name, sizeof(name), "weights fd %d at %llu", fd, (unsigned long long)offset);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: not an open file descriptor", name);
  if (!S_ISREG(info.st_mode)) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: not a regular file", name);
  const uint64_t file_size = (uint64_t)info.st_size;
  if (offset > file_size || (size && size > file_size - offset))
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: %llu bytes from there pass the %llu-byte file's end", name,
                            (unsigned long long)size, (unsigned long long)file_size);
  if (offset % EDGE_WEIGHTS_ALIGNMENT != 0)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                            "%s: the offset is not a multiple of %u (store the file aligned, e.g. zipalign -p)", name,
                            EDGE_WEIGHTS_ALIGNMENT);
  return map_range(name, fd, offset, size ? size : file_size - offset, out_weights, flags);
}

edge_status_t edge_weights_open_memory(const void *data, size_t size, uint32_t flags, edge_weights_t **out_weights) {
  if (!out_weights) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_weights is NULL");
  *out_weights = NULL;
  if (!data) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "weights data is NULL");
  return wrap("weights in memory", (const uint8_t *)data, size, NULL, 0, flags, out_weights);
}

void edge_weights_release(edge_weights_t *weights) {
  if (!weights) return;
  edge_handle_retire(&weights->magic, EDGE_HANDLE_WEIGHTS, "edge_weights_release");
  if (weights->mapping) munmap(weights->mapping, weights->mapping_size);
  edge_mem_free(weights);
}

uint64_t edge_weights_fingerprint(const edge_weights_t *weights) {
  return weights ? weights->header->fingerprint : 0;
}

uint32_t edge_weights_tensor_count(const edge_weights_t *weights) {
  return weights ? weights->header->tensor_count : 0;
}

edge_status_t edge_weights_tensor_get(const edge_weights_t *weights, uint32_t index,
                                      const char **out_name, size_t *out_name_size,
                                      const void **out_data, uint64_t *out_size) {
  if (out_name) *out_name = NULL;
  if (out_name_size) *out_name_size = 0;
  if (out_data) *out_data = NULL;
  if (out_size) *out_size = 0;
  if (!weights || index >= weights->header->tensor_count)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tensor index %u out of range", index);
  const edge_weights_entry_t *entry = &weights->entries[index];
  const char *names = (const char *)weights->base + weights->header->names_offset;
  if (out_name) *out_name = names + entry->name_offset;
  if (out_name_size) *out_name_size = entry->name_size;
  if (out_data) *out_data = weights->data + entry->data_offset;
  if (out_size) *out_size = entry->data_size;
  return NULL;
}

void edge_weights_copy_data(const edge_weights_t *weights, void *out) {
  const uint64_t chunk = 16ull << 20;
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uint8_t *data = weights->data;
  const uint64_t size = weights->header->data_size;
  uintptr_t dropped = ((uintptr_t)data + page - 1) / page * page; /* first page wholly inside the data */
  for (uint64_t done = 0; done < size;) {
    uint64_t n = size - done < chunk ? size - done : chunk;
    memcpy((uint8_t *)out + done, data + done, n);
    done += n;
    uintptr_t end = ((uintptr_t)data + done) / page * page;
    if (end > dropped && weights->mapping) { /* never the caller's own memory */
      madvise((void *)dropped, end - dropped, MADV_DONTNEED);
      dropped = end;
    }
  }
}
