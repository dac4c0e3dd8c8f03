#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/edgert.h"

static const struct {
  const char *descr;
  edge_dtype_t dtype;
} kDtypes[] = {
    {"<f4", EDGE_DTYPE_F32}, {"<f2", EDGE_DTYPE_F16}, {"<i8", EDGE_DTYPE_I64},
    {"<i4", EDGE_DTYPE_I32}, {"|i1", EDGE_DTYPE_I8},  {"|u1", EDGE_DTYPE_U8},
    {"|b1", EDGE_DTYPE_BOOL}, {"<f8", EDGE_DTYPE_F64},
};

/* Finds `'key': ` in the header dict and returns a pointer just past it. */
static const char *find_key(const char *header, const char *key) {
  const char *at = strstr(header, key);
  if (!at) return NULL;
  at += strlen(key);
  while (*at == ' ' || *at == ':') ++at;
  return at;
}

static edge_status_t parse_header(const char *path, const char *header, edge_tensor_t *tensor) {
  const char *descr = find_key(header, "'descr'");
  const char *order = find_key(header, "'fortran_order'");
  const char *shape = find_key(header, "'shape'");
  if (!descr || !order || !shape)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: .npy header lacks descr/fortran_order/shape", path);
  if (strncmp(order, "False", 5) != 0)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: Fortran-order arrays are not supported", path);
  tensor->dtype = EDGE_DTYPE_INVALID;
  for (size_t i = 0; i < sizeof(kDtypes) / sizeof(kDtypes[0]); ++i)
    if (descr[0] == '\'' && strncmp(descr + 1, kDtypes[i].descr, 3) == 0 && descr[4] == '\'')
      tensor->dtype = kDtypes[i].dtype;
  if (tensor->dtype == EDGE_DTYPE_INVALID)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: unsupported dtype %.6s", path, descr);
  if (*shape != '(') return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: bad shape in header", path);
  ++shape;
  tensor->rank = 0;
  while (*shape && *shape != ')') {
    while (*shape == ' ' || *shape == ',') ++shape;
    if (*shape == ')') break;
    char *end;
    errno = 0;
    long long dim = strtoll(shape, &end, 10);
    if (end == shape || dim < 0 || errno)
      return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: bad dim in shape", path);
    if (tensor->rank == EDGE_MAX_RANK)
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: rank above %d", path, EDGE_MAX_RANK);
    tensor->dims[tensor->rank++] = dim;
    shape = end;
  }
  /* The data's size must be a number: (2^62, 64) f32 would wrap to 0 bytes. */
  uint64_t bytes = edge_dtype_size(tensor->dtype);
  for (uint32_t i = 0; i < tensor->rank; ++i)
    if (__builtin_mul_overflow(bytes, (uint64_t)tensor->dims[i], &bytes) || bytes > (uint64_t)INT64_MAX)
      return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: shape too large: its data would not fit in memory", path);
  return NULL;
}

edge_status_t npy_read(const char *path, edge_tensor_t *tensor) {
  memset(tensor, 0, sizeof(*tensor));
  FILE *file = fopen(path, "rb");
  if (!file) return edge_make_status(EDGE_STATUS_NOT_FOUND, "%s: cannot open: %s", path, strerror(errno));
  unsigned char preamble[12];
  edge_status_t status = NULL;
  char *header = NULL;
  if (fread(preamble, 1, 10, file) != 10 || memcmp(preamble, "\x93NUMPY", 6) != 0) {
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: not a .npy file", path);
    goto done;
  }
  size_t header_size = preamble[8] | (preamble[9] << 8);
  if (preamble[6] >= 2) { /* version 2+: 4-byte header length */
    if (fread(preamble + 10, 1, 2, file) != 2) {
      status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: truncated .npy header", path);
      goto done;
    }
    header_size |= ((size_t)preamble[10] << 16) | ((size_t)preamble[11] << 24);
  }
  if (header_size > (1u << 20)) {
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: .npy header of %zu bytes", path, header_size);
    goto done;
  }
  header = calloc(1, header_size + 1);
  if (!header || fread(header, 1, header_size, file) != header_size) {
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: truncated .npy header", path);
    goto done;
  }
  status = parse_header(path, header, tensor);
  if (status) goto done;
  size_t bytes = (size_t)edge_tensor_element_count(tensor) * edge_dtype_size(tensor->dtype);
  /* The file must hold the data its header promises before that much memory is taken. */
  const long data_start = ftell(file);
  if (data_start < 0 || fseek(file, 0, SEEK_END) != 0) {
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: cannot find the end of the file", path);
    goto done;
  }
  const long file_end = ftell(file);
  if (file_end < data_start || (uint64_t)(file_end - data_start) < bytes || fseek(file, data_start, SEEK_SET) != 0) {
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: expected %zu bytes of data, the file holds %ld", path, bytes,
                              file_end > data_start ? file_end - data_start : 0L);
    goto done;
  }
  tensor->data = malloc(bytes ? bytes : 1);
  if (!tensor->data || fread(tensor->data, 1, bytes, file) != bytes) {
    free(tensor->data);
    tensor->data = NULL;
    status = edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: expected %zu bytes of data", path, bytes);
  }
done:
  free(header);
  fclose(file);
  return status;
}

edge_status_t npy_write(const char *path, const edge_tensor_t *tensor) {
  const char *descr = NULL;
  for (size_t i = 0; i < sizeof(kDtypes) / sizeof(kDtypes[0]); ++i)
    if (kDtypes[i].dtype == tensor->dtype) descr = kDtypes[i].descr;
  if (!descr) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: unknown dtype", path);
  char dict[512];
  int length = snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (uint32_t i = 0; i < tensor->rank; ++i)
    length += snprintf(dict + length, sizeof(dict) - (size_t)length, "%lld,%s",
                       (long long)tensor->dims[i], i + 1 < tensor->rank ? " " : "");
  length += snprintf(dict + length, sizeof(dict) - (size_t)length, "), }");
  /* Pad with spaces so that data starts at a multiple of 64; end with a newline. */
  size_t total = 10 + (size_t)length + 1;
  size_t padded = (total + 63) / 64 * 64;
  size_t header_size = padded - 10;
  FILE *file = fopen(path, "wb");
  if (!file) return edge_make_status(EDGE_STATUS_NOT_FOUND, "%s: cannot create: %s", path, strerror(errno));
  unsigned char preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                (unsigned char)(header_size & 0xff), (unsigned char)(header_size >> 8)};
  fwrite(preamble, 1, 10, file);
  fwrite(dict, 1, (size_t)length, file);
  for (size_t i = (size_t)length; i + 1 < header_size; ++i) fputc(' ', file);
  fputc('\n', file);
  size_t bytes = (size_t)edge_tensor_element_count(tensor) * edge_dtype_size(tensor->dtype);
  size_t written = fwrite(tensor->data, 1, bytes, file);
  if (fclose(file) != 0 || written != bytes)
    return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: write failed", path);
  return NULL;
}
