//===- TileAndVectorize.cpp - the edge-tile-and-vectorize pass ------------===//
#include "codegen/cpu/TargetConfig.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

namespace edge {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// A tile size for a loop of static extent `extent` (dynamic: kDynamic): `tile` itself, or
/// 0 (untiled) when the whole loop is no larger than the tile.
int64_t clampTile(int64_t tile, int64_t extent) {
  return !ShapedType::isDynamic(extent) && extent <= tile ? 0 : tile;
}

SmallVector<int64_t> computeTileSizes(linalg::LinalgOp op, const CpuTargetConfig &config) {
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

/// Ops that read tensors by computed index (gathers) stay scalar loops.
bool hasIndexedReads(linalg::LinalgOp op) {
  return op->walk([](tensor::ExtractOp) { return WalkResult::interrupt(); }).wasInterrupted();
}

struct TileAndVectorizePass : impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto module = func->getParentOfType<ModuleOp>();
    auto arch = module ? module->getAttrOfType<StringAttr>(kTargetAttr) : StringAttr();
    auto cpu = module ? module->getAttrOfType<StringAttr>(kCpuAttr) : StringAttr();
    std::optional<CpuTargetConfig> config =
        getCpuTargetConfig(arch ? arch.getValue() : "x86_64", cpu ? cpu.getValue() : "");
    if (!config) {
      module.emitError() << "unknown " << kTargetAttr << " '" << arch.getValue() << "'";
      return signalPassFailure();
    }

    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && op.getNumLoops() > 0 && !isa<linalg::FillOp>(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      SmallVector<int64_t> sizes = computeTileSizes(op, *config);
      if (llvm::all_of(sizes, [](int64_t s) { return s == 0; })) continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("tiling failed");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
      // Peel every loop whose step may not divide its trip count, so that the main loop
      // sees full, static tiles. Loops that divide evenly are left as they are.
      for (LoopLikeOpInterface loop : tiled->loops) {
        scf::ForOp remainder;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, cast<scf::ForOp>(loop.getOperation()), remainder);
      }
    }

    // Fold the peeled loops' affine.min sizes into static slice shapes.
    OpPassManager cleanup(func::FuncOp::getOperationName());
    cleanup.addPass(createCanonicalizerPass());
    cleanup.addPass(createCSEPass());
    if (failed(runPipeline(cleanup, func))) return signalPassFailure();

    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !op.hasDynamicShape() && !hasIndexedReads(op))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
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
