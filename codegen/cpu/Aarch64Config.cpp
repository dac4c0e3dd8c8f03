//===- Aarch64Config.cpp - AArch64 NEON heuristics ------------------------===//
#include "codegen/cpu/TargetConfig.h"

namespace edge {

CpuTargetConfig getAarch64Config(llvm::StringRef cpu) {
  CpuTargetConfig config;
  config.arch = "aarch64";
  config.triple = "aarch64-unknown-linux-gnu";
  config.cpu = cpu.empty() ? "generic" : cpu.str();
  config.features = "+neon";
  // 32 128-bit registers: a 4x16 f32 accumulator takes 16 of them, leaving room for the
  // A column (broadcast) and the 4 B vectors of each k step.
  config.vectorLanesF32 = 4;
  config.mr = 4;
  config.nr = 16;
  config.kc = 1;
  config.rowNr = 64; // 16 accumulator registers for one row

  return config;
}

} // namespace edge
