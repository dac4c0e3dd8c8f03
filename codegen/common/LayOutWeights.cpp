//===- LayOutWeights.cpp - each weight's place in NAME.weights ------------===//
//
// Once the target chose every weight's stored form (packed panels, quantized blocks), the
// weights are placed one after another, 64-byte aligned, in the order the importer gave
// them (their offsets so far), each as many bytes as its stored type holds. The offsets
// go on every edge.weight op of the name and the data section's size on the module
// (`edge.weights_size`); the weights writer writes exactly this layout.
//
//===----------------------------------------------------------------------===//
#include "codegen/common/Passes.h"

namespace edge {
#define GEN_PASS_DEF_LAYOUTWEIGHTSPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Bytes of one element as stored (bools are bytes); 0 for a type the file cannot hold.
int64_t storedElementBytes(Type type) {
  if (type.isInteger(1)) return 1;
  if (type.isIntOrFloat()) return type.getIntOrFloatBitWidth() % 8 == 0 ? type.getIntOrFloatBitWidth() / 8 : 0;
  return 0;
}

struct LayOutWeightsPass : impl::LayOutWeightsPassBase<LayOutWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    WeightsByName weights = collectWeightsByName(module);
    Builder builder(module.getContext());
    int64_t offset = 0;
    for (llvm::StringRef name : weights.names) {
      auto &ops = weights.ops[name];
      WeightOp first = ops.front();
      auto type = cast<RankedTensorType>(first.getType());
      for (WeightOp op : ops)
        if (op.getType() != type) {
          op.emitError() << "weight '" << first.getName() << "' is stored as " << type << " and as " << op.getType();
          return signalPassFailure();
        }
      int64_t element = storedElementBytes(type.getElementType());
      if (!element) {
        first.emitError() << "weight '" << first.getName() << "': elements of " << type.getElementType()
                          << " cannot be stored";
        return signalPassFailure();
      }
      for (WeightOp op : ops) op.setOffsetAttr(builder.getI64IntegerAttr(offset));
      offset = (offset + type.getNumElements() * element + 63) / 64 * 64;
    }
    module->setAttr(kWeightsSizeAttr, builder.getI64IntegerAttr(offset));
  }
};

} // namespace
} // namespace edge
