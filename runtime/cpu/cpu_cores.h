/* Internal: how many threads an LM step uses when the caller does not say. */
#ifndef EDGE_CPU_CPU_CORES_H_
#define EDGE_CPU_CPU_CORES_H_

#include <stdint.h>

/* The CPUs this process may run on that are of the fastest kind: on Linux, those whose
 * /sys/devices/system/cpu/cpuN/cpu_capacity (big.LITTLE phones) or else
 * cpufreq/cpuinfo_max_freq is the largest among them; every allowed CPU where neither is
 * readable. At least 1, at most 64. */
uint32_t edge_cpu_fast_cores(void);

/* Those CPUs' numbers, fastest kind only, up to `capacity`; returns how many (0 where the
 * system does not say: then nothing can be pinned). */
uint32_t edge_cpu_fast_core_ids(int *ids, uint32_t capacity);

#endif /* EDGE_CPU_CPU_CORES_H_ */
