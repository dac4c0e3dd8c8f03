/* ukernels/arch/arm64/dotprod.c — qmatmul for AArch64 with the dotprod extension (SDOT).
 * Blocks of a multiple of 32 values go through uk_dot1x4 (neon_dot.h), four weight rows
 * per activation block loaded once. */
#define UK_VARIANT dotprod
#define UK_HAS_DOT1X4 1
#include "ukernels/arch/arm64/neon_dot.h"
