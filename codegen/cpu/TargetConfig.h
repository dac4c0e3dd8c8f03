//===- TargetConfig.h - per-target CPU code generation choices -*- C++ -*-===//
//
// What the CPU backends need to know about a target: how to build its LLVM
// TargetMachine and the tile sizes the tiling pass uses. Each target's heuristics live in
// its own file (Aarch64Config.cpp, X86Config.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_CPU_TARGETCONFIG_H
#define EDGE_CODEGEN_CPU_TARGETCONFIG_H

#include <cstdint>
#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"

namespace edge {

struct CpuTargetConfig {
  std::string arch;     ///< "x86_64", "aarch64", "armv7" or "riscv64"; also the module's `edge.target`
  std::string triple;   ///< LLVM target triple (Linux; an edgec target for another OS replaces it)
  std::string abi;      ///< LLVM ABI name where the triple does not imply it ("lp64d"); empty: the default
  std::string cpu;      ///< LLVM CPU name
  std::string features; ///< extra LLVM target features ("+neon,...")
  int64_t vectorLanesF32 = 4; ///< f32 lanes of one vector register
  // Contraction tile: an mr x nr accumulator in registers, K stepped by kc.
  int64_t mr = 4, nr = 16, kc = 1;
  // Single rows (decode-like GEMV, M remainders): a wider N tile, so each K step reads
  // one long contiguous run of the weight row.
  int64_t rowNr = 64;
  // Innermost dims of other ops up to this size are vectorized whole.
  int64_t maxWholeInnerDim = 256;
};

/// The configuration for `arch` and `cpu` (empty: the target's baseline). Returns nullopt
/// for an unknown arch.
std::optional<CpuTargetConfig> getCpuTargetConfig(llvm::StringRef arch, llvm::StringRef cpu);

CpuTargetConfig getAarch64Config(llvm::StringRef cpu);
CpuTargetConfig getX86Config(llvm::StringRef cpu);
CpuTargetConfig getArmv7Config(llvm::StringRef cpu);
CpuTargetConfig getRiscv64Config(llvm::StringRef cpu);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_TARGETCONFIG_H
