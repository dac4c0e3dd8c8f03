//===- OutputsToDestinations.cpp - the edge-outputs-to-destinations pass --===//
#include "codegen/common/Passes.h"

namespace edge {
#define GEN_PASS_DEF_OUTPUTSTODESTINATIONSPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct OutputsToDestinationsPass : impl::OutputsToDestinationsPassBase<OutputsToDestinationsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic()) continue;
      TypeRange results = func.getFunctionType().getResults();
      if (!llvm::all_of(results, [](Type t) { return isa<RankedTensorType>(t); })) {
        func.emitError("entry results must be ranked tensors");
        return signalPassFailure();
      }
      unsigned firstOutput = func.getNumArguments();
      auto marker = DictionaryAttr::get(
          context, {NamedAttribute(StringAttr::get(context, kOutputArgAttr), UnitAttr::get(context))});
      for (Type type : results)
        if (failed(func.insertArgument(func.getNumArguments(), type, marker, func.getLoc())))
          return signalPassFailure();
      func.walk([&](func::ReturnOp ret) {
        OpBuilder builder(ret);
        for (OpOperand &operand : ret->getOpOperands()) {
          Value destination = func.getArgument(firstOutput + operand.getOperandNumber());
          auto materialized = bufferization::MaterializeInDestinationOp::create(
              builder, ret.getLoc(), operand.get(), destination);
          operand.set(materialized.getResult());
        }
      });
    }
  }
};

} // namespace
} // namespace edge
