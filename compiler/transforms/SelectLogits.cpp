//===- SelectLogits.cpp - the edge-select-logits pass ---------------------===//
#include "compiler/transforms/Passes.h"
#include "dialects/onnx/IR/OnnxDialect.h"

namespace edge {
#define GEN_PASS_DEF_SELECTLOGITSPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// True when `value` does not vary with the token: no dynamic dim (a weight, a constant, a
/// bias or scale computed from them).
bool tokenIndependent(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape();
}

/// The vocabulary projection the logits come from, seen through token-independent
/// elementwise epilogues; null when the logits are computed otherwise.
onnx::MatMulOp findProjection(Value logits) {
  Value current = logits;
  while (Operation *op = current.getDefiningOp()) {
    if (auto matmul = dyn_cast<onnx::MatMulOp>(op)) {
      auto lhs = cast<RankedTensorType>(matmul.getLhs().getType());
      return lhs.getRank() == 3 && tokenIndependent(matmul.getRhs()) ? matmul : onnx::MatMulOp();
    }
    if (isa<onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp>(op)) {
      Value lhs = op->getOperand(0), rhs = op->getOperand(1);
      if (tokenIndependent(rhs) && lhs.getType() == op->getResult(0).getType()) current = lhs;
      else if (tokenIndependent(lhs) && rhs.getType() == op->getResult(0).getType()) current = rhs;
      else return {};
      continue;
    }
    if (isa<onnx::TanhOp>(op)) { // softcapping
      current = op->getOperand(0);
      continue;
    }
    return {};
  }
  return {};
}

struct SelectLogitsPass : impl::SelectLogitsPassBase<SelectLogitsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto lm = func->getAttrOfType<DictionaryAttr>(kCausalLMAttr);
      if (!lm || lm.get("select_logits") || func.getNumResults() != 1) continue;
      onnx::MatMulOp projection =
          findProjection(cast<func::ReturnOp>(func.getBody().front().getTerminator()).getOperand(0));
      if (!projection) continue;

      OpBuilder builder(&getContext());
      unsigned index = func.getNumArguments();
      auto indicesType = RankedTensorType::get({ShapedType::kDynamic}, builder.getI64Type());
      if (failed(func.insertArgument(index, indicesType,
                                     builder.getDictionaryAttr(builder.getNamedAttr(
                                         kNameAttr, builder.getStringAttr("logits_indices"))),
                                     func.getLoc())))
        return signalPassFailure();
      builder.setInsertionPoint(projection);
      Value hidden = projection.getLhs();
      auto hiddenType = cast<RankedTensorType>(hidden.getType());
      auto selectedType = RankedTensorType::get({hiddenType.getDimSize(0), ShapedType::kDynamic,
                                                 hiddenType.getDimSize(2)},
                                                hiddenType.getElementType());
      // Rows [1, rows, H] of the hidden state; the result types downstream stay [?, ?, V].
      Value selected = onnx::GatherOp::create(builder, projection.getLoc(), selectedType, hidden,
                                              func.getArgument(index),
                                              IntegerAttr::get(IntegerType::get(&getContext(), 64, IntegerType::Signed), 1));
      projection.getLhsMutable().assign(selected);
      SmallVector<NamedAttribute> fields(lm.getValue());
      fields.push_back(builder.getNamedAttr("select_logits", builder.getUnitAttr()));
      func->setAttr(kCausalLMAttr, builder.getDictionaryAttr(fields));
    }
  }
};

} // namespace
} // namespace edge
