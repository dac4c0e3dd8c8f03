//===- Armv7Config.cpp - 32-bit ARMv7-A NEON heuristics -------------------===//
#include "codegen/cpu/TargetConfig.h"

namespace edge {

CpuTargetConfig getArmv7Config(llvm::StringRef cpu) {
  CpuTargetConfig config;
  config.arch = "armv7";
  // The hard-float ABI (float arguments in VFP registers), as Debian's armhf and
  // Raspberry Pi OS's 32-bit userland use.
  config.triple = "armv7-unknown-linux-gnueabihf";
  config.cpu = cpu.empty() ? "generic" : cpu.str();
  // NEON is optional in ARMv7-A but present on every phone and board worth targeting;
  // `--features -neon` takes it away (the ukernels then fall back to the portable ones).
  config.features = "+neon";
  // 16 128-bit registers: a 4x8 f32 accumulator takes 8 of them, leaving the A broadcasts
  // and the 2 B vectors of each k step.
  config.vectorLanesF32 = 4;
  config.mr = 4;
  config.nr = 8;
  config.kc = 1;
  config.rowNr = 32; // 8 accumulator registers for one row
  return config;
}

} // namespace edge
