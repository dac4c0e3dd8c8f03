# Cross toolchain for 32-bit ARMv7-A Linux with NEON and the hard-float ABI (Debian's
# gcc-arm-linux-gnueabihf; its default is VFPv3-D16 without NEON, so NEON is asked for).
set(EDGEC_CROSS_GNU_TRIPLE arm-linux-gnueabihf)
set(EDGEC_CROSS_PROCESSOR armv7)
set(EDGEC_CROSS_QEMU qemu-arm)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
