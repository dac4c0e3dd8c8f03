/*
 * bandwidth — the machine's streaming read bandwidth, the roofline decode is measured
 * against: THREADS threads each sum their share of a buffer much larger than the caches
 * (1 GiB), in four prefetched streams, best of five passes.
 *
 *   bandwidth THREADS     prints "<GB/s>" (10^9 bytes per second)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BYTES (1ull << 30)

typedef struct share_t {
  const uint64_t *words;
  size_t count;
  uint64_t sum;
} share_t;

/* Words ahead of each stream to prefetch (8 KB), and streams per thread: a thread reading
 * four distant runs at once, each prefetched ahead, keeps more of the memory system busy
 * than one run does (5-10% more on the machine of the README's figures), as the kernels
 * reading four or more weight rows at once do. The roofline must not be below them. */
#define AHEAD 1024
#define STREAMS 4

static void *read_share(void *raw) {
  share_t *share = raw;
  const size_t run = share->count / STREAMS / 8 * 8;
  /* Eight independent sums per stream, so the loop is bound by loads, not by add
   * chains; the compiler vectorizes it. */
  uint64_t sums[STREAMS][8] = {{0}};
  for (size_t i = 0; i < run; i += 8)
    for (int s = 0; s < STREAMS; ++s) {
      const uint64_t *words = share->words + (size_t)s * run + i;
      __builtin_prefetch(words + AHEAD);
      for (int k = 0; k < 8; ++k) sums[s][k] += words[k];
    }
  uint64_t total = 0;
  for (int s = 0; s < STREAMS; ++s)
    for (int k = 0; k < 8; ++k) total += sums[s][k];
  share->sum = total;
  return NULL;
}

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + now.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int threads = argc == 2 ? atoi(argv[1]) : 0;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: bandwidth THREADS (1 to 256)\n");
    return 2;
  }
  uint64_t *words = aligned_alloc(4096, BYTES);
  if (!words) {
    fprintf(stderr, "bandwidth: cannot allocate %llu bytes\n", (unsigned long long)BYTES);
    return 1;
  }
  memset(words, 1, BYTES); /* touch every page first */
  const size_t total = BYTES / sizeof(uint64_t), per = total / (size_t)threads / (8 * STREAMS) * (8 * STREAMS);
  pthread_t ids[256];
  share_t shares[256];
  double best = 0.0;
  uint64_t check = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const double start = seconds();
    for (int t = 0; t < threads; ++t) {
      shares[t] = (share_t){words + (size_t)t * per, per, 0};
      if (pthread_create(&ids[t], NULL, read_share, &shares[t]) != 0) {
        fprintf(stderr, "bandwidth: cannot start thread %d\n", t);
        return 1;
      }
    }
    for (int t = 0; t < threads; ++t) pthread_join(ids[t], NULL), check += shares[t].sum;
    const double rate = (double)(per * (size_t)threads * sizeof(uint64_t)) / (seconds() - start) / 1e9;
    best = rate > best ? rate : best;
  }
  printf("%.1f\n", best);
  free(words);
  return check == 0; /* never: keeps the sums alive */
}
