#include "codegen/cpu/TargetConfig.h"

namespace edge {

std::optional<CpuTargetConfig> getCpuTargetConfig(llvm::StringRef arch, llvm::StringRef cpu) {
  if (arch == "aarch64") return getAarch64Config(cpu);
  if (arch == "x86_64") return getX86Config(cpu);
  if (arch == "armv7") return getArmv7Config(cpu);
  if (arch == "riscv64") return getRiscv64Config(cpu);
  return std::nullopt;
}

} // namespace edge
