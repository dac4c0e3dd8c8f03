# Sourced by the app tests: for a Linux cross TARGET (an edgec --target whose toolchain
# file is tools/cmake/TARGET.cmake), sets `run` to the qemu-user command that runs its
# programs; for the host, to nothing.
cross_runner() {
  case "$1" in
    aarch64-linux-gnu) run=(qemu-aarch64 -L /usr/aarch64-linux-gnu) ;;
    armv7-linux-gnueabihf) run=(qemu-arm -L /usr/arm-linux-gnueabihf) ;;
    riscv64-linux-gnu) run=(qemu-riscv64 -L /usr/riscv64-linux-gnu) ;;
    *) run=() ;;
  esac
}
