/* llvm-mca harness: one arm64 ukernel variant's block loops out of line, one function per
 * format, so mca.sh can trace them. UK_VARIANT_SOURCE names the variant's .c file. uk_dot1x4
 * at blocks of 32 (the kernel's own copy for that size); uk_dot and uk_dot2x2 with the
 * block at run time, as the kernels ship them. */
#include UK_VARIANT_SOURCE

#define HARNESS(format, code)                                                                                   \
  void mca_dot1x4_##format(const uint8_t *a, const uint8_t *const *w, int64_t n, float *o) {                    \
    uk_dot1x4(code, a, w, n, 32, o);                                                                            \
  }                                                                                                             \
  float mca_dot_##format(const uint8_t *a, const uint8_t *w, int64_t n, int64_t k) { return uk_dot(code, a, w, n, k); }
HARNESS(q4_0, EDGE_DTYPE_Q4_0)
HARNESS(q8_0, EDGE_DTYPE_Q8_0)
HARNESS(q4_1, EDGE_DTYPE_Q4_1)

#ifdef UK_HAS_DOT2X2
#define HARNESS2X2(format, code)                                                                                \
  void mca_dot2x2_##format(const uint8_t *a0, const uint8_t *a1, const uint8_t *w0, const uint8_t *w1, int64_t n, \
                           int64_t k, float *o) {                                                               \
    uk_dot2x2(code, a0, a1, w0, w1, n, k, o);                                                                   \
  }
HARNESS2X2(q4_0, EDGE_DTYPE_Q4_0)
HARNESS2X2(q8_0, EDGE_DTYPE_Q8_0)
HARNESS2X2(q4_1, EDGE_DTYPE_Q4_1)
#endif
