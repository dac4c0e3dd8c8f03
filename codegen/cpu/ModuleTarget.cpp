//===- ModuleTarget.cpp - the CPU target a module is compiled for ---------===//
#include "codegen/cpu/ModuleTarget.h"

#include "codegen/cpu/Passes.h"

using namespace mlir;

namespace edge {

std::optional<CpuTargetConfig> getModuleTargetConfig(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  auto arch = module ? module->getAttrOfType<StringAttr>(kTargetAttr) : StringAttr();
  auto cpu = module ? module->getAttrOfType<StringAttr>(kCpuAttr) : StringAttr();
  std::optional<CpuTargetConfig> config =
      getCpuTargetConfig(arch ? arch.getValue() : "x86_64", cpu ? cpu.getValue() : "");
  if (!config) (module ? module.getOperation() : op)->emitError() << "unknown " << kTargetAttr << " '" << arch.getValue() << "'";
  return config;
}

} // namespace edge
