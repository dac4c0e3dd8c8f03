/* A whole file read into memory (tokenizer/file_text.h). */
#include "tokenizer/file_text.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"

edge_status_t edge_read_file_text(const char *path, char **out_text, size_t *out_size) {
  *out_text = NULL;
  *out_size = 0;
  FILE *file = fopen(path, "rb");
  if (!file) return edge_make_status(EDGE_STATUS_NOT_FOUND, "%s: cannot open", path);
  char *text = NULL;
  size_t size = 0, capacity = 0;
  for (;;) {
    if (size == capacity) {
      capacity = capacity ? capacity * 2 : 1 << 16;
      char *grown = edge_mem_realloc(text, capacity);
      if (!grown) {
        edge_mem_free(text);
        fclose(file);
        return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", path);
      }
      text = grown;
    }
    size_t got = fread(text + size, 1, capacity - size, file);
    size += got;
    if (got == 0) break;
  }
  fclose(file);
  *out_text = text;
  *out_size = size;
  return NULL;
}
