//===- SelectStrategy.cpp - record the CPU tiles on the module ------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Strategy.h"
#include "codegen/cpu/TargetConfig.h"

namespace edge {
#define GEN_PASS_DEF_SELECTSTRATEGYPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct SelectStrategyPass : impl::SelectStrategyPassBase<SelectStrategyPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module->hasAttr(kCpuStrategyAttr)) return; // chosen already (by hand, in a test)
    auto arch = module->getAttrOfType<StringAttr>(kTargetAttr);
    auto cpu = module->getAttrOfType<StringAttr>(kCpuAttr);
    std::optional<CpuTargetConfig> config =
        getCpuTargetConfig(arch ? arch.getValue() : "x86_64", cpu ? cpu.getValue() : "");
    if (!config) {
      module.emitError() << "unknown " << kTargetAttr << " '" << (arch ? arch.getValue() : "") << "'";
      return signalPassFailure();
    }
    module->setAttr(kCpuStrategyAttr, encodeCpuStrategy(module.getContext(), strategyFor(*config)));
  }
};

} // namespace
} // namespace edge
