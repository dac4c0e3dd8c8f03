/*
 * The fuzz targets' one helper: the library under test reads files by path, so the
 * fuzzer's bytes become an anonymous in-memory file (memfd) named by /proc/self/fd.
 */
#ifndef EDGE_FUZZ_FILE_H_
#define EDGE_FUZZ_FILE_H_

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes `data` to a new memfd and its path into `path`; returns the descriptor (close it
 * when done), or aborts: a harness that cannot make its file must not pass silently. */
static int fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size) {
  int fd = memfd_create("fuzz-input", 0);
  if (fd < 0) abort();
  for (size_t done = 0; done < size;) {
    ssize_t wrote = write(fd, data + done, size - done);
    if (wrote <= 0) abort();
    done += (size_t)wrote;
  }
  snprintf(path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

#endif /* EDGE_FUZZ_FILE_H_ */
