//===- Strategy.cpp - the edge.cpu_strategy attribute ---------------------===//
#include "codegen/cpu/Strategy.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace edge {
namespace {

/// The fields of the attribute, by name, and where each goes.
constexpr std::pair<const char *, int64_t CpuStrategy::*> kFields[] = {
    {"mr", &CpuStrategy::mr},
    {"nr", &CpuStrategy::nr},
    {"kc", &CpuStrategy::kc},
    {"row_nr", &CpuStrategy::rowNr},
    {"vector_lanes_f32", &CpuStrategy::vectorLanesF32},
    {"max_whole_inner_dim", &CpuStrategy::maxWholeInnerDim},
};

} // namespace

CpuStrategy strategyFor(const CpuTargetConfig &config) {
  return CpuStrategy{config.mr, config.nr, config.kc, config.rowNr, config.vectorLanesF32, config.maxWholeInnerDim};
}

DictionaryAttr encodeCpuStrategy(MLIRContext *context, const CpuStrategy &strategy) {
  Builder builder(context);
  SmallVector<NamedAttribute> fields;
  for (auto [name, field] : kFields) fields.push_back(builder.getNamedAttr(name, builder.getI64IntegerAttr(strategy.*field)));
  return builder.getDictionaryAttr(fields);
}

std::optional<CpuStrategy> getCpuStrategy(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  Operation *anchor = module ? module.getOperation() : op;
  auto attr = module ? module->getAttrOfType<DictionaryAttr>(kCpuStrategyAttr) : DictionaryAttr();
  if (!attr) {
    anchor->emitError() << "no " << kCpuStrategyAttr << " on the module (edge-cpu-select-strategy records it)";
    return std::nullopt;
  }
  CpuStrategy strategy;
  for (auto [name, field] : kFields) {
    auto value = attr.getAs<IntegerAttr>(name);
    if (!value || value.getInt() <= 0) {
      anchor->emitError() << kCpuStrategyAttr << ": '" << name << "' must be a positive integer";
      return std::nullopt;
    }
    strategy.*field = value.getInt();
  }
  return strategy;
}

} // namespace edge
