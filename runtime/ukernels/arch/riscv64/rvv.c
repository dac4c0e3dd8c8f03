/* ukernels/arch/riscv64/rvv.c — the portable kernels compiled for the RISC-V vector
 * extension (Variants.cmake gives -march=rv64gcv): the compiler vectorizes their int8 block
 * dots and f32 panel loops to RVV 1.0, for any vector length. A CPU without V takes the
 * generic variant. */
#define UK_VARIANT rvv
#include "ukernels/generic.c"
