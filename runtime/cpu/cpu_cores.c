/* Counting the fast cores: decode is bound by memory bandwidth, which the big cores of a
 * big.LITTLE phone saturate alone; a step split onto a little core waits for it. */
#define _GNU_SOURCE
#include "cpu/cpu_cores.h"

#include <stdio.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

#define MAX_THREADS 64

#if defined(__linux__)
/* The number in /sys/devices/system/cpu/cpu<cpu>/<file>, or 0. */
static unsigned long cpu_attribute(int cpu, const char *file) {
  char path[96];
  snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/%s", cpu, file);
  FILE *in = fopen(path, "r");
  if (!in) return 0;
  unsigned long value = 0;
  if (fscanf(in, "%lu", &value) != 1) value = 0;
  fclose(in);
  return value;
}
#endif

/* Fills ids (up to capacity) with the allowed CPUs of the fastest kind; returns their
 * count, 0 when the affinity mask cannot be read. */
static uint32_t fast_cpus(int *ids, uint32_t capacity) {
  uint32_t count = 0;
#if defined(__linux__)
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  static const char *const kRankings[] = {"cpu_capacity", "cpufreq/cpuinfo_max_freq"};
  unsigned long best = 0;
  const char *ranking = NULL;
  for (size_t k = 0; k < sizeof kRankings / sizeof *kRankings && !ranking; ++k)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &allowed)) continue;
      unsigned long rank = cpu_attribute(cpu, kRankings[k]);
      if (rank > best) best = rank, ranking = kRankings[k];
    }
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed) || (ranking && cpu_attribute(cpu, ranking) != best)) continue;
    if (count < capacity) ids[count] = cpu;
    ++count;
  }
#else
  (void)ids, (void)capacity;
#endif
  return count;
}

uint32_t edge_cpu_fast_core_ids(int *ids, uint32_t capacity) {
  uint32_t count = fast_cpus(ids, capacity);
  return count < capacity ? count : capacity;
}

uint32_t edge_cpu_fast_cores(void) {
  uint32_t count = fast_cpus(NULL, 0);
  if (!count) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    count = online > 0 ? (uint32_t)online : 1;
  }
  return count > MAX_THREADS ? MAX_THREADS : count;
}
