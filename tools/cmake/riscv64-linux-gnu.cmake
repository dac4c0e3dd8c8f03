# Cross toolchain for 64-bit RISC-V Linux, RV64GC with the LP64D ABI (Debian's
# gcc-riscv64-linux-gnu).
set(EDGEC_CROSS_GNU_TRIPLE riscv64-linux-gnu)
set(EDGEC_CROSS_PROCESSOR riscv64)
set(EDGEC_CROSS_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
