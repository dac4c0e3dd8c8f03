//===- NameEntryValues.cpp - edge.name on the entry's arguments and results ===//
//
// The passes that rewrite the entry's signature (edge-paged-attention,
// edge-select-logits) find graph inputs and outputs by name and name what they add;
// this pass puts the names of the module's edge.model interface on the entry.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialects/edge/IR/ModelInterface.h"

namespace edge {
#define GEN_PASS_DEF_NAMEENTRYVALUESPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct NameEntryValuesPass : impl::NameEntryValuesPassBase<NameEntryValuesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>("main");
    FailureOr<ModelInterface> interface = getModelInterface(module);
    if (!func || failed(interface)) {
      if (!func) module.emitError("the module has no entry @main");
      return signalPassFailure();
    }
    if (func.getNumArguments() != interface->inputs.size() || func.getNumResults() != interface->outputs.size()) {
      func.emitError() << "the entry has " << func.getNumArguments() << " arguments and " << func.getNumResults()
                       << " results; edge.model names " << interface->inputs.size() << " inputs and "
                       << interface->outputs.size() << " outputs";
      return signalPassFailure();
    }
    Builder builder(module.getContext());
    for (auto [i, input] : llvm::enumerate(interface->inputs))
      func.setArgAttr(i, kNameAttr, builder.getStringAttr(input.name));
    for (auto [i, output] : llvm::enumerate(interface->outputs))
      func.setResultAttr(i, kNameAttr, builder.getStringAttr(output.name));
  }
};

} // namespace
} // namespace edge
