//===- InterleaveQuantizedRows.cpp - the edge-interleave-quantized-rows pass ===//
//
// Ukernels that compute four output columns at once (x86-64 AVX2 and AVX512-VNNI) read
// their weights fastest as one sequential stream: four rows interleaved block by block
// (the _x4 formats of edge/weights_format.h). The packer writes that layout into
// NAME.weights, so nothing is repacked at run time.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "edge/model_abi.h"
#include "edge/weights_format.h"

namespace edge {
#define GEN_PASS_DEF_INTERLEAVEQUANTIZEDROWSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// The matmuls reading `weight` as their weight; none if anything else reads it or a
/// matmul's N is not a multiple of four.
bool collectMatmuls(WeightOp weight, SmallVectorImpl<QuantizedMatmulOp> &matmuls) {
  for (OpOperand &use : weight->getUses()) {
    auto matmul = dyn_cast<QuantizedMatmulOp>(use.getOwner());
    if (!matmul || &use != &matmul.getWeightMutable()) return false;
    if (cast<ShapedType>(matmul.getInit().getType()).getShape().back() % 4 != 0) return false;
    matmuls.push_back(matmul);
  }
  return true;
}

struct InterleaveQuantizedRowsPass : impl::InterleaveQuantizedRowsPassBase<InterleaveQuantizedRowsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto rows = module->getAttrOfType<IntegerAttr>(kUkernelRowGroupAttr);
    if (!rows || rows.getInt() != 4) return;
    Builder builder(module.getContext());
    WeightsByName weights = collectWeightsByName(module);
    for (StringRef name : weights.names) {
      // Every op of the weight must qualify: they all name one stored tensor.
      SmallVector<QuantizedMatmulOp> matmuls;
      bool qualifies = true;
      std::optional<StringRef> format;
      for (WeightOp op : weights.ops[name]) {
        std::optional<StringRef> quant = op.getQuant();
        uint32_t dtype = quant ? weightFormatDtype(*quant) : 0;
        qualifies = dtype && !edge_weights_is_x4(dtype) && (!format || *format == *quant) && op.getQuantBlock() &&
                    *op.getQuantBlock() % 32 == 0 && collectMatmuls(op, matmuls);
        if (!qualifies) break;
        format = quant;
      }
      if (!qualifies || matmuls.empty()) continue;
      StringAttr x4 = builder.getStringAttr(edge_dtype_name(edge_weights_x4_dtype(weightFormatDtype(*format))));
      for (WeightOp op : weights.ops[name]) op.setQuantAttr(x4);
      for (QuantizedMatmulOp matmul : matmuls) matmul.setFormatAttr(x4);
    }
  }
};

} // namespace
} // namespace edge
