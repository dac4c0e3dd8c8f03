//===- TileAndVectorize.cpp - the edge-tile-and-vectorize pass ------------===//
#include "codegen/cpu/Strategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

namespace edge {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// A tile size for a loop of static extent `extent` (dynamic: kDynamic): `tile` itself, or
/// 0 (untiled) when the whole loop is no larger than the tile.
int64_t clampTile(int64_t tile, int64_t extent) {
  return !ShapedType::isDynamic(extent) && extent <= tile ? 0 : tile;
}

SmallVector<int64_t> computeTileSizes(linalg::LinalgOp op, const CpuStrategy &config) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> sizes(ranges.size(), 1);
  if (linalg::isaContractionOpInterface(op)) {
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (succeeded(dims) && !dims->m.empty() && !dims->n.empty() && !dims->k.empty()) {
      sizes[dims->m.back()] = clampTile(config.mr, ranges[dims->m.back()]);
      sizes[dims->n.back()] = clampTile(config.nr, ranges[dims->n.back()]);
      sizes[dims->k.back()] = clampTile(config.kc, ranges[dims->k.back()]);
      return sizes;
    }
  }
  // Everything else: one row at a time, the innermost dim vectorized whole when it is
  // small and static, else in chunks of a few vectors.
  int64_t inner = ranges.size() - 1;
  if (!ShapedType::isDynamic(ranges[inner]) && ranges[inner] <= config.maxWholeInnerDim)
    sizes[inner] = 0;
  else
    sizes[inner] = clampTile(4 * config.vectorLanesF32, ranges[inner]);
  return sizes;
}

/// A tiled contraction with unit loops besides its innermost M, N and K (the panel loop
/// of a packed weight, batch dims) without them, so it can become a plain matmul.
linalg::GenericOp dropUnitContractionDims(RewriterBase &rewriter, linalg::GenericOp generic) {
  if (generic.getNumLoops() <= 3 || !linalg::isaContractionOpInterface(generic)) return generic;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(generic);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty()) return generic;
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  SmallVector<unsigned> drop;
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (ranges[d] == 1 && d != dims->m.back() && d != dims->n.back() && d != dims->k.back()) drop.push_back(d);
  if (drop.empty()) return generic;
  linalg::ControlDropUnitDims control;
  control.controlFn = [drop](Operation *) { return drop; };
  // Rank-reducing slices (not reshapes) keep the accumulator loop-invariant-hoistable.
  control.rankReductionStrategy = linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::DropUnitDimsResult> result = linalg::dropUnitDims(rewriter, generic, control);
  if (failed(result)) return generic;
  rewriter.replaceOp(generic, result->replacements);
  auto reduced = dyn_cast<linalg::GenericOp>(result->resultOp.getOperation());
  return reduced ? reduced : generic;
}

/// A 3-loop contraction generic as `linalg.matmul` with the same indexing maps (so
/// transposed operands stay transposed), or failure when it is not one.
FailureOr<linalg::LinalgOp> toNamedContraction(RewriterBase &rewriter, linalg::GenericOp generic) {
  if (generic.getNumLoops() != 3 || !linalg::isaContractionOpInterface(generic) ||
      generic.getNumDpsInputs() != 2)
    return failure();
  rewriter.setInsertionPoint(generic);
  auto matmul = linalg::MatmulOp::create(
      rewriter, generic.getLoc(), generic.getResultTypes(), generic.getDpsInputs(), generic.getDpsInits(),
      {rewriter.getNamedAttr("indexing_maps", generic.getIndexingMaps())});
  if (failed(mlir::verify(matmul, /*verifyRecursively=*/false))) {
    rewriter.eraseOp(matmul);
    return failure();
  }
  rewriter.replaceOp(generic, matmul->getResults());
  return cast<linalg::LinalgOp>(matmul.getOperation());
}

/// Bools are one byte each in memory (the ABI's EDGE_DTYPE_BOOL), but LLVM stores a
/// vector of i1 as packed bits: ops that read or write bool tensors stay scalar.
bool hasBoolTensors(Operation *op) {
  auto isBoolTensor = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.getElementType().isInteger(1);
  };
  return llvm::any_of(op->getOperandTypes(), isBoolTensor) || llvm::any_of(op->getResultTypes(), isBoolTensor);
}

/// Ops that read tensors by computed index (gathers) stay scalar loops.
bool hasIndexedReads(linalg::LinalgOp op) {
  return op->walk([](tensor::ExtractOp) { return WalkResult::interrupt(); }).wasInterrupted();
}

/// Tile sizes of 1 for the loops of unknown extent, 0 (untiled) for the others.
SmallVector<int64_t> dynamicLoopsByOne(linalg::LinalgOp op) {
  SmallVector<int64_t> sizes;
  for (int64_t range : op.getStaticLoopRanges()) sizes.push_back(ShapedType::isDynamic(range) ? 1 : 0);
  return sizes;
}

/// Tiles `op` with `sizes`; with `peel`, splits off the partial last tile of each loop.
LogicalResult tileOne(RewriterBase &rewriter, TilingInterface op, ArrayRef<int64_t> sizes, bool peel,
                      ArrayRef<int64_t> interchange = {}) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; })) return success();
  rewriter.setInsertionPoint(op);
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setInterchange(interchange);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled)) return op.emitError("tiling failed");
  rewriter.replaceOp(op, tiled->replacements);
  if (!peel) return success();
  // Loops whose step divides their trip count are left as they are. (The M loop of the
  // full part of a split contraction divides at run time, but splitOp's clamp hides that
  // from the simplifier: peeling it is what gives its main loop static tiles, and its
  // remainder never runs.)
  for (LoopLikeOpInterface loop : tiled->loops) {
    scf::ForOp remainder;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, cast<scf::ForOp>(loop.getOperation()), remainder);
  }
  return success();
}

/// The M loop and the N loops of a contraction whose M extent is dynamic and tiled by
/// more than 1.
std::optional<std::pair<unsigned, SmallVector<unsigned, 2>>> dynamicTiledM(linalg::LinalgOp op,
                                                                          ArrayRef<int64_t> sizes) {
  if (!linalg::isaContractionOpInterface(op)) return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty()) return std::nullopt;
  unsigned m = dims->m.back();
  if (!ShapedType::isDynamic(op.getStaticLoopRanges()[m]) || sizes[m] <= 1) return std::nullopt;
  return std::make_pair(m, dims->n);
}

/// For a contraction, the loop order batch, N, M, K (instead of the op's own): the
/// K x nr panel of the weights stays in cache while every row tile of the activations
/// passes over it, and K is innermost so accumulators stay in registers.
SmallVector<int64_t> contractionInterchange(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op)) return {};
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims)) return {};
  SmallVector<int64_t> order;
  for (const SmallVector<unsigned, 2> *group : {&dims->batch, &dims->n, &dims->m, &dims->k})
    order.append(group->begin(), group->end());
  if (order.size() != op.getNumLoops()) return {};
  return order;
}

/// The linalg ops on tensors of `func` that tiling applies to (everything but fills).
SmallVector<linalg::LinalgOp> tilableOps(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics() && op.getNumLoops() > 0 && !isa<linalg::FillOp>(op)) ops.push_back(op);
  });
  return ops;
}

/// Round 1: every op to register tiles, partial tiles peeled off. A contraction with a
/// dynamic M is first split at the last multiple of its M tile, and the rest is tiled
/// with M = 1: every part then has K innermost, so its accumulators stay in registers.
LogicalResult tileToRegisters(RewriterBase &rewriter, func::FuncOp func, const CpuStrategy &config) {
  for (linalg::LinalgOp op : tilableOps(func)) {
    SmallVector<int64_t> sizes = computeTileSizes(op, config);
    SmallVector<int64_t> interchange = contractionInterchange(op);
    auto mn = dynamicTiledM(op, sizes);
    if (!mn) {
      if (failed(tileOne(rewriter, cast<TilingInterface>(op.getOperation()), sizes, true, interchange)))
        return failure();
      continue;
    }
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    auto [m, ns] = *mn;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges(); // read before splitOp replaces `op`
    OpFoldResult extent = cast<TilingInterface>(op.getOperation()).getIterationDomain(rewriter)[m].size;
    AffineExpr s0 = rewriter.getAffineSymbolExpr(0);
    OpFoldResult split = affine::makeComposedFoldedAffineApply(
        rewriter, loc, s0.floorDiv(sizes[m]) * sizes[m], {extent});
    auto [full, rest] = linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), m, split);
    if (failed(tileOne(rewriter, full, sizes, true, interchange))) return failure();
    // One row at a time, rowNr columns wide (a packed weight's panels stay one per
    // tile: each is a single contiguous stream over K).
    sizes[m] = 1;
    unsigned n = ns.back();
    sizes[n] = clampTile(config.rowNr, ranges[n]);
    if (rest && failed(tileOne(rewriter, rest, sizes, true, interchange))) return failure();
  }
  return success();
}

struct TileAndVectorizePass : impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<CpuStrategy> config = getCpuStrategy(func);
    if (!config) return signalPassFailure();

    // Folds the peeled loops' affine.min sizes into static slice shapes.
    auto cleanup = [&](func::FuncOp f) {
      OpPassManager pipeline(func::FuncOp::getOperationName());
      pipeline.addPass(createCanonicalizerPass());
      pipeline.addPass(createCSEPass());
      return runPipeline(pipeline, f);
    };
    IRRewriter rewriter(&getContext());
    // Round 1: register tiles, with the partial tiles peeled off.
    if (failed(tileToRegisters(rewriter, func, *config))) return signalPassFailure();
    if (failed(cleanup(func))) return signalPassFailure();
    // Round 2: what is still dynamic is a peeled remainder (or a dynamic inner dim); tile
    // its dynamic loops by 1 so that the rest of it, static, vectorizes too. A 3-row
    // remainder of a 4x16 matmul tile becomes three 1x16 vector rows, not scalar code.
    for (linalg::LinalgOp op : tilableOps(func))
      if (failed(tileOne(rewriter, cast<TilingInterface>(op.getOperation()), dynamicLoopsByOne(op), false)))
        return signalPassFailure();
    if (failed(cleanup(func))) return signalPassFailure();

    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !op.hasDynamicShape() && !hasIndexedReads(op) && !hasBoolTensors(op))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      // A contraction generic becomes linalg.matmul & co. where it matches, so that it
      // vectorizes straight to a vector.contract over (m, k) x (k, n).
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        generic = dropUnitContractionDims(rewriter, generic);
        op = generic;
        if (FailureOr<linalg::LinalgOp> named = toNamedContraction(rewriter, generic); succeeded(named))
          op = *named;
      }
      if (failed(linalg::vectorizeOpPrecondition(op))) continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
      if (failed(result)) continue; // stays a scalar loop nest, still correct
      rewriter.replaceOp(op, result->replacements);
    }

    // Contractions vectorize as broadcast + mul + multi_reduction; fold them back into
    // vector.contract, which lowers to outer-product FMAs.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns)))) return signalPassFailure();
  }
};

} // namespace
} // namespace edge
