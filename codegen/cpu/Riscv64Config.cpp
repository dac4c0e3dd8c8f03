//===- Riscv64Config.cpp - RV64GC (and RVV) heuristics --------------------===//
#include "codegen/cpu/TargetConfig.h"

namespace edge {

CpuTargetConfig getRiscv64Config(llvm::StringRef cpu) {
  CpuTargetConfig config;
  config.arch = "riscv64";
  config.triple = "riscv64-unknown-linux-gnu";
  config.cpu = cpu.empty() ? "generic-rv64" : cpu.str();
  // RV64GC, the Linux distributions' baseline; `--features +v` (or a --cpu that has it)
  // adds the vector extension, which the ukernels then use.
  config.features = "+m,+a,+f,+d,+c";
  // Linux on RISC-V passes floats in FP registers: the objects must say lp64d to link
  // with the system's libraries.
  config.abi = "lp64d";
  // 32 FP registers without V; with V, LLVM legalizes the 4-lane vectors to its
  // registers. A 4x8 accumulator fits either way.
  config.vectorLanesF32 = 4;
  config.mr = 4;
  config.nr = 8;
  config.kc = 1;
  config.rowNr = 32;
  return config;
}

} // namespace edge
