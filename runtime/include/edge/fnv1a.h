/* edge/fnv1a.h — FNV-1a 64-bit hashing, shared by the weights writer (compiler) and reader (runtime) so
 * both sides compute checksums and fingerprints the same way. */
#ifndef EDGE_FNV1A_H_
#define EDGE_FNV1A_H_

#include <stddef.h>
#include <stdint.h>

#define EDGE_FNV1A_INIT 0xcbf29ce484222325ull

static inline uint64_t edge_fnv1a_update(uint64_t hash, const void *data, size_t size) {
  const unsigned char *bytes = (const unsigned char *)data;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

#endif /* EDGE_FNV1A_H_ */
