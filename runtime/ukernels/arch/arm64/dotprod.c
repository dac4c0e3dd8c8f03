/* ukernels/arch/arm64/dotprod.c — qmatmul for AArch64 with the dotprod extension (SDOT). */
#define UK_VARIANT dotprod
#include "ukernels/arch/arm64/neon_dot.h"
