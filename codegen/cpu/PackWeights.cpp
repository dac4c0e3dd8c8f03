//===- PackWeights.cpp - the edge-pack-weights pass -----------------------===//
#include "codegen/cpu/Strategy.h"
#include "codegen/cpu/Passes.h"
#include "dialects/edge/IR/EdgeDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace edge {
#define GEN_PASS_DEF_PACKWEIGHTSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Packs the weight operand of one contraction; false if it does not qualify.
bool packContraction(RewriterBase &rewriter, linalg::GenericOp op, int64_t nr) {
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2) return false;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.size() != 1 || dims->k.size() != 1) return false;
  unsigned n = dims->n.front(), k = dims->k.front();
  OpOperand *operand = op.getDpsInputOperand(1);
  auto weight = operand->get().getDefiningOp<WeightOp>();
  if (!weight || !weight->hasOneUse() || weight.getPackN()) return false;
  auto weightType = cast<RankedTensorType>(weight.getType());
  AffineMap map = op.getMatchingIndexingMap(operand);
  MLIRContext *context = op.getContext();
  AffineExpr dn = getAffineDimExpr(n, context), dk = getAffineDimExpr(k, context);
  bool fromKN = map.getResults() == ArrayRef<AffineExpr>{dk, dn};
  bool fromNK = map.getResults() == ArrayRef<AffineExpr>{dn, dk};
  if (weightType.getRank() != 2 || !(fromKN || fromNK)) return false;
  int64_t extentN = weightType.getDimSize(fromKN ? 1 : 0), extentK = weightType.getDimSize(fromKN ? 0 : 1);
  if (extentN == 0 || extentK == 0 || extentN % nr != 0) return false;

  // New loops: n becomes (n0, n1) at positions n and n + 1; later dims shift by one.
  unsigned numLoops = op.getNumLoops() + 1;
  auto newDim = [&](unsigned d) { return getAffineDimExpr(d < n ? d : d + 1, context); };
  auto remap = [&](AffineMap old, bool splitN) {
    SmallVector<AffineExpr> results;
    for (AffineExpr e : old.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d == n && splitN) {
        results.push_back(getAffineDimExpr(n, context));
        results.push_back(getAffineDimExpr(n + 1, context));
      } else {
        results.push_back(newDim(d));
      }
    }
    return AffineMap::get(numLoops, 0, results, context);
  };
  AffineMap outputMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  int64_t outputN = -1;
  for (auto [i, e] : llvm::enumerate(outputMap.getResults()))
    if (cast<AffineDimExpr>(e).getPosition() == n) outputN = i;
  if (outputN < 0) return false;

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto packedType = RankedTensorType::get({extentN / nr, extentK, nr}, weightType.getElementType());
  auto packed = WeightOp::create(rewriter, weight.getLoc(), packedType, weight.getNameAttr(), weight.getOffsetAttr(),
                                 rewriter.getI64IntegerAttr(nr), fromNK ? rewriter.getUnitAttr() : UnitAttr(), StringAttr(),
                                 IntegerAttr(), UnitAttr());
  // The accumulator [.., N, ..] viewed as [.., N/nr, nr, ..].
  auto initType = cast<RankedTensorType>(op.getDpsInitOperand(0)->get().getType());
  SmallVector<int64_t> expandedShape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < initType.getRank(); ++i) {
    groups.push_back({static_cast<int64_t>(expandedShape.size())});
    if (i == outputN) {
      expandedShape.append({extentN / nr, nr});
      groups.back().push_back(expandedShape.size() - 1);
    } else {
      expandedShape.push_back(initType.getDimSize(i));
    }
  }
  auto expandedType = RankedTensorType::get(expandedShape, initType.getElementType());
  Value init = tensor::ExpandShapeOp::create(rewriter, loc, expandedType, op.getDpsInitOperand(0)->get(), groups);

  SmallVector<AffineMap> maps = {remap(op.getMatchingIndexingMap(op.getDpsInputOperand(0)), false),
                                 AffineMap::get(numLoops, 0,
                                                {getAffineDimExpr(n, context), newDim(k), getAffineDimExpr(n + 1, context)},
                                                context),
                                 remap(outputMap, true)};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.insert(iterators.begin() + n + 1, utils::IteratorType::parallel);
  auto packedOp = linalg::GenericOp::create(rewriter, loc, TypeRange{expandedType},
                                            ValueRange{op.getDpsInputOperand(0)->get(), packed}, ValueRange{init},
                                            maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), packedOp.getRegion(), packedOp.getRegion().begin());
  Value result = tensor::CollapseShapeOp::create(rewriter, loc, initType, packedOp.getResult(0), groups);
  rewriter.replaceOp(op, result);
  rewriter.eraseOp(weight);
  return true;
}

struct PackWeightsPass : impl::PackWeightsPassBase<PackWeightsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<CpuStrategy> config = getCpuStrategy(func);
    if (!config) return signalPassFailure();
    SmallVector<linalg::GenericOp> contractions;
    func.walk([&](linalg::GenericOp op) { contractions.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : contractions) (void)packContraction(rewriter, op, config->nr);
  }
};

} // namespace
} // namespace edge
