#!/bin/sh
# test-suite/bench/mca/mca.sh — llvm-mca figures of the arm64 quantized-matmul kernels:
# cycles per 32-value block and output row of each kernel's block loop (an iteration is
# four rows for uk_dot1x4, one for uk_dot, four outputs for uk_dot2x2) against the budget a
# Pi 5 core's DRAM bandwidth leaves (about 2 bytes a cycle: 9 cycles for an 18-byte q4_0
# block, 17 for q8_0, 10 for q4_1), on the Cortex-A76
# (Raspberry Pi 5; LLVM schedules it with an older model, so Neoverse N1, its server twin,
# is printed too) and Neoverse N2. AArch64 speed cannot be timed under qemu; this is the
# check that a kernel fits its memory-bandwidth budget.
#
#   test-suite/bench/mca/mca.sh            (prints one line per variant, kernel, format, CPU)
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for row in "dotprod armv8.2-a+dotprod" "i8mm armv8.2-a+dotprod+i8mm"; do
  set -- $row
  variant=$1 march=$2
  clang-22 --target=aarch64-linux-gnu -O2 -march=$march -ffreestanding -I "$root/runtime" -I "$root/runtime/include" \
    -DUK_VARIANT_SOURCE="\"ukernels/arch/arm64/$variant.c\"" -S "$here/kernels.c" -o "$work/$variant.s"
  for f in $(grep -o '^mca_[a-z0-9_]*' "$work/$variant.s"); do
    case $f in mca_dot1x4_*) runs=1 rows=4 ;; mca_dot2x2_*) runs=2 rows=4 ;; *) runs=2 rows=1 ;; esac
    # (inner 16-value loops run twice a block; rows: outputs one iteration computes)
    case $f in *q4_0) budget=9 ;; *q8_0) budget=17 ;; *) budget=10 ;; esac # block bytes / 2 B per cycle
    /usr/bin/python3 "$here/trace.py" "$work/$variant.s" $f $runs > "$work/$f.s"
    for cpu in cortex-a76 neoverse-n1 neoverse-n2; do
      if grep -q smmla "$work/$f.s" && [ $cpu != neoverse-n2 ]; then continue; fi # no i8mm there
      llvm-mca-22 -mtriple=aarch64-linux-gnu -mcpu=$cpu -mattr=+dotprod,+i8mm -iterations=1000 "$work/$f.s" |
        awk -v v=$variant -v f=${f#mca_} -v c=$cpu -v r=$rows -v b=$budget \
          '/^Total Cycles/ {printf "%-8s %-12s %-12s %6.2f cycles per block and output row (budget %d)\n", v, f, c, $3 / 1000 / r, b}'
    done
  done
done
