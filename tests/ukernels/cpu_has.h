/*
 * cpu_has.h — whether this CPU runs a ukernel variant's instructions, for the kernel
 * tests (one probe per variant of runtime/ukernels/Variants.cmake on this architecture).
 */
#ifndef EDGE_TESTS_UKERNELS_CPU_HAS_H_
#define EDGE_TESTS_UKERNELS_CPU_HAS_H_

static int always(void) { return 1; }

#if defined(__x86_64__)
static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
static int has_vnni(void) { return has_avx2() && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"); }
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
static int has_dotprod(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
static int has_i8mm(void) { return has_dotprod() && (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0; }
#elif defined(__arm__)
#include <sys/auxv.h>
#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12)
#endif
static int has_neon(void) { return (getauxval(AT_HWCAP) & HWCAP_NEON) != 0; }
#elif defined(__riscv)
#include <sys/auxv.h>
/* Linux reports single-letter extensions as bits of AT_HWCAP, 'A' in bit 0. */
static int has_rvv(void) { return (getauxval(AT_HWCAP) & (1ul << ('V' - 'A'))) != 0; }
#endif

#endif /* EDGE_TESTS_UKERNELS_CPU_HAS_H_ */
