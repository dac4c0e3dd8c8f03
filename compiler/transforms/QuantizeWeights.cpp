//===- QuantizeWeights.cpp - the edge-quantize-weights pass ---------------===//
#include "compiler/transforms/QuantizeWeights.h"

#include "compiler/transforms/Passes.h"
#include "dialects/onnx/IR/OnnxDialect.h"

namespace edge {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {

QuantCandidate analyzeQuantCandidate(WeightOp weight) {
  QuantCandidate candidate;
  auto type = cast<RankedTensorType>(weight.getType());
  if (type.getRank() != 2 || !type.getElementType().isF32()) {
    candidate.whyNot = "not a 2-D f32 tensor";
    return candidate;
  }
  bool sawKN = false, sawNK = false;
  for (OpOperand &use : weight->getUses()) {
    Operation *user = use.getOwner();
    int64_t lhsRank = isa<onnx::MatMulOp>(user) ? cast<RankedTensorType>(user->getOperand(0).getType()).getRank() : 0;
    if (auto matmul = dyn_cast<onnx::MatMulOp>(user); matmul && use.getOperandNumber() == 1 && (lhsRank == 2 || lhsRank == 3)) {
      sawKN = true;
    } else if (auto gemm = dyn_cast<onnx::GemmOp>(user); gemm && use.getOperandNumber() == 1 && gemm.getAlpha().isExactlyValue(1.0) &&
                                                         gemm.getTransA() == 0 && (!gemm.getC() || gemm.getBeta().isExactlyValue(1.0))) {
      (gemm.getTransB() ? sawNK : sawKN) = true;
    } else if (auto gather = dyn_cast<onnx::GatherOp>(user); gather && use.getOperandNumber() == 0 && gather.getAxis() == 0 &&
                                                             cast<RankedTensorType>(gather.getIndices().getType()).getRank() >= 1 &&
                                                             cast<RankedTensorType>(gather.getIndices().getType()).getRank() <= 2 &&
                                                             cast<RankedTensorType>(gather.getIndices().getType()).getElementType().isInteger(64)) {
      sawNK = true;
      candidate.embedding = true;
      candidate.gatherIndices = gather.getIndices();
    } else {
      candidate.whyNot = "read by " + user->getName().getStringRef().str() + ", which has no quantized form";
      return candidate;
    }
  }
  if (sawKN == sawNK) {
    candidate.whyNot = sawKN ? "read both as [K, N] and as [N, K]" : "not read";
    return candidate;
  }
  if (candidate.embedding && sawKN) candidate.embedding = false;
  candidate.fromKN = sawKN;
  candidate.rows = type.getDimSize(sawKN ? 1 : 0);
  candidate.k = type.getDimSize(sawKN ? 0 : 1);
  candidate.ok = true;
  return candidate;
}

namespace {

/// The sizes of `value`'s dims as fold results (static ones as attributes).
SmallVector<OpFoldResult> mixedSizes(OpBuilder &builder, Location loc, Value value) {
  SmallVector<OpFoldResult> sizes;
  auto type = cast<RankedTensorType>(value.getType());
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(type.isDynamicDim(i) ? OpFoldResult(tensor::DimOp::create(builder, loc, value, i).getResult())
                                         : OpFoldResult(builder.getIndexAttr(type.getDimSize(i))));
  return sizes;
}

// The quantized ops take the 2-D or 3-D operands as they are rather than collapsing them to
// rows: a memref.expand_shape with two dynamic dims in one group, once subviewed, crashes
// MLIR 22's expand-strided-metadata.

/// An empty f32 tensor with the dims of `like` but its last (or one more), `width`.
Value emptyLike(OpBuilder &builder, Location loc, Value like, bool replaceLast, int64_t width) {
  SmallVector<OpFoldResult> shape = mixedSizes(builder, loc, like);
  if (replaceLast) shape.pop_back();
  shape.push_back(builder.getIndexAttr(width));
  return tensor::EmptyOp::create(builder, loc, shape, builder.getF32Type());
}

/// `value`, cast to `wanted` where the op's declared type is more or less static.
Value castTo(OpBuilder &builder, Location loc, Value value, Type wanted) {
  return value.getType() == wanted ? value : tensor::CastOp::create(builder, loc, wanted, value).getResult();
}

LogicalResult quantize(WeightOp weight) {
  QuantCandidate candidate = analyzeQuantCandidate(weight);
  if (!candidate.ok) return weight.emitError() << "cannot be stored quantized: " << candidate.whyNot;
  StringRef format = *weight.getQuant();
  int64_t block = *weight.getQuantBlock();
  if (candidate.k % block != 0)
    return weight.emitError() << "cannot be stored quantized: its reduction dim " << candidate.k
                              << " is not a multiple of the block size " << block;
  OpBuilder builder(weight);
  int64_t bytes = candidate.rows * (candidate.k / block) * weightBlockBytes(format, block);
  auto bytesType = RankedTensorType::get({bytes}, builder.getI8Type());
  auto quantized = WeightOp::create(builder, weight.getLoc(), bytesType, weight.getNameAttr(), weight.getOffsetAttr(),
                                    IntegerAttr(), UnitAttr(), weight.getQuantAttr(), weight.getQuantBlockAttr(),
                                    candidate.fromKN ? builder.getUnitAttr() : UnitAttr());
  auto formatAttr = builder.getStringAttr(format);
  auto blockAttr = builder.getI64IntegerAttr(block);
  for (Operation *user : llvm::to_vector(weight->getUsers())) {
    builder.setInsertionPoint(user);
    Location loc = user->getLoc();
    Value replacement;
    if (auto gather = dyn_cast<onnx::GatherOp>(user)) {
      Value init = emptyLike(builder, loc, gather.getIndices(), /*replaceLast=*/false, candidate.k);
      auto op = QuantizedEmbeddingOp::create(builder, loc, TypeRange{init.getType()}, gather.getIndices(), quantized, init,
                                             formatAttr, blockAttr, builder.getI64IntegerAttr(candidate.rows));
      replacement = castTo(builder, loc, op.getResult()[0], gather.getType());
    } else {
      Value lhs = isa<onnx::MatMulOp>(user) ? cast<onnx::MatMulOp>(user).getLhs() : cast<onnx::GemmOp>(user).getA();
      Value init = emptyLike(builder, loc, lhs, /*replaceLast=*/true, candidate.rows);
      auto op = QuantizedMatmulOp::create(builder, loc, TypeRange{init.getType()}, lhs, quantized, init, formatAttr, blockAttr);
      replacement = castTo(builder, loc, op.getResult()[0], user->getResult(0).getType());
      if (auto gemm = dyn_cast<onnx::GemmOp>(user); gemm && gemm.getC())
        replacement = onnx::AddOp::create(builder, loc, gemm.getType(), replacement, gemm.getC());
    }
    user->getResult(0).replaceAllUsesWith(replacement);
    user->erase();
  }
  weight.erase();
  return success();
}

struct QuantizeWeightsPass : impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  void runOnOperation() override {
    SmallVector<WeightOp> requests;
    getOperation().walk([&](WeightOp op) {
      if (op.getQuant() && cast<RankedTensorType>(op.getType()).getElementType().isF32()) requests.push_back(op);
    });
    for (WeightOp op : requests)
      if (failed(quantize(op))) return signalPassFailure();
  }
};

} // namespace
} // namespace edge
