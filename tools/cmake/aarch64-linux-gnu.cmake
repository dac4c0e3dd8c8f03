# Cross toolchain for AArch64 Linux (Debian's gcc-aarch64-linux-gnu).
set(EDGEC_CROSS_GNU_TRIPLE aarch64-linux-gnu)
set(EDGEC_CROSS_PROCESSOR aarch64)
set(EDGEC_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
