/* ukernels/arch/armv7/neon.c — the portable kernels compiled for ARMv7-A NEON
 * (Variants.cmake gives -mfpu=neon): the compiler vectorizes their int8 block dots and f32
 * panel loops to 128-bit NEON. Without NEON a target takes the generic variant. */
#define UK_VARIANT neon
#include "ukernels/generic.c"
