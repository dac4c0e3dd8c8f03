//===- X86Config.cpp - x86-64 AVX2/AVX-512 heuristics ---------------------===//
#include "codegen/cpu/TargetConfig.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace edge {

CpuTargetConfig getX86Config(llvm::StringRef cpu) {
  CpuTargetConfig config;
  config.arch = "x86_64";
  config.triple = "x86_64-unknown-linux-gnu";
  // x86-64-v3 is the AVX2 + FMA baseline; `--cpu native` resolves to the host's CPU.
  config.cpu = cpu.empty() ? "x86-64-v3" : cpu.str();
  bool avx512 = (config.cpu == "native" && llvm::sys::getHostCPUFeatures().lookup("avx512f")) ||
                config.cpu == "x86-64-v4" || llvm::StringRef(config.cpu).contains("avx512") ||
                llvm::StringRef(config.cpu).starts_with("skylake-avx512") ||
                llvm::StringRef(config.cpu).starts_with("sapphirerapids") ||
                llvm::StringRef(config.cpu).starts_with("znver4");
  config.vectorLanesF32 = avx512 ? 16 : 8;
  // 16 (AVX2) or 32 (AVX-512) registers: a 4 x (2 vectors) accumulator plus operands.
  config.mr = 4;
  config.nr = 2 * config.vectorLanesF32;
  config.kc = 1;
  config.rowNr = 8 * config.vectorLanesF32; // 8 accumulator registers for one row
  return config;
}

} // namespace edge
