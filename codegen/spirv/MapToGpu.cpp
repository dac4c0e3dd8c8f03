//===- MapToGpu.cpp - the edge-map-to-gpu pass ----------------------------===//
#include "codegen/spirv/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

namespace edge {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Threads per workgroup: a multiple of every GPU's SIMD width (32 or 64 lanes is
/// common; lavapipe runs 8) and small enough for any device's limits.
constexpr int64_t kMaxWorkgroupThreads = 128;

/// Workgroup extent of a dim: the static extent rounded up to a power of two, at most
/// `limit`; `limit` when dynamic.
int64_t tileExtent(Value lower, Value upper, int64_t limit) {
  std::optional<int64_t> lo = getConstantIntValue(lower), hi = getConstantIntValue(upper);
  if (!lo || !hi) return limit;
  return std::min<int64_t>(limit, llvm::PowerOf2Ceil(std::max<int64_t>(*hi - *lo, 1)));
}

/// Tiles a top-level parallel loop into workgroups and threads and maps it: the last
/// (innermost) dims to x, y, z; dims before them run sequentially in every thread.
LogicalResult tileAndMap(scf::ParallelOp loop) {
  unsigned rank = loop.getNumLoops();
  SmallVector<int64_t> tiles(rank, 1);
  int64_t budget = kMaxWorkgroupThreads;
  for (unsigned k = 0; k < std::min(rank, 3u); ++k) {
    unsigned dim = rank - 1 - k;
    tiles[dim] = tileExtent(loop.getLowerBound()[dim], loop.getUpperBound()[dim], budget);
    budget /= tiles[dim];
  }
  // Steps other than 1 never come out of linalg; tiling assumes unit steps.
  if (!llvm::all_of(loop.getStep(), [](Value step) { return isConstantIntValue(step, 1); }))
    return loop.emitError("parallel loop with a non-unit step");
  auto [outer, inner] = scf::tileParallelLoop(loop, tiles, /*noMinMaxBounds=*/true);

  MLIRContext *context = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  auto mapping = [&](bool threads) {
    SmallVector<gpu::ParallelLoopDimMappingAttr> dims;
    for (unsigned dim = 0; dim < rank; ++dim) {
      unsigned fromInner = rank - 1 - dim; // 0 for the innermost dim
      gpu::Processor processor = gpu::Processor::Sequential;
      if (fromInner < 3)
        processor = static_cast<gpu::Processor>((threads ? 3 : 0) + fromInner);
      dims.push_back(gpu::ParallelLoopDimMappingAttr::get(context, processor, identity, identity));
    }
    return dims;
  };
  if (failed(gpu::setMappingAttr(outer, mapping(false))) || failed(gpu::setMappingAttr(inner, mapping(true))))
    return loop.emitError("cannot map the parallel loop to the GPU");
  return success();
}

/// True if `op` reads or writes buffer contents (its own or in its regions).
bool touchesBuffers(Operation *op) {
  bool touches = false;
  op->walk([&](Operation *nested) {
    if (isa<memref::LoadOp, memref::StoreOp>(nested)) touches = true;
  });
  return touches;
}

/// Runs a top-level op that is not a parallel loop (a full reduction's loop nest) in
/// one workgroup of one thread.
void wrapInSingleThread(OpBuilder &builder, Operation *op) {
  builder.setInsertionPoint(op);
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto loop = scf::ParallelOp::create(builder, loc, ValueRange{zero}, ValueRange{one}, ValueRange{one});
  op->moveBefore(loop.getBody()->getTerminator());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, op->getContext());
  (void)gpu::setMappingAttr(
      loop, {gpu::ParallelLoopDimMappingAttr::get(op->getContext(), gpu::Processor::BlockX, identity, identity)});
}

struct MapToGpuPass : impl::MapToGpuPassBase<MapToGpuPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    }

    SmallVector<linalg::LinalgOp> linalgOps;
    func.walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
    for (linalg::LinalgOp op : linalgOps) {
      if (!op.hasPureBufferSemantics()) {
        op.emitError("linalg op on tensors left after bufferization");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, op))) {
        op.emitError("cannot turn this op into loops for the GPU");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }

    // Only ops directly in the function body are dispatched; nested loops stay inside
    // their kernel.
    for (Block &block : func.getBody()) {
      for (Operation &op : llvm::make_early_inc_range(block)) {
        if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
          if (failed(tileAndMap(loop))) return signalPassFailure();
        } else if (op.getNumRegions() > 0 && op.getNumResults() == 0 && touchesBuffers(&op)) {
          wrapInSingleThread(rewriter, &op);
        } else if (isa<memref::StoreOp>(op)) {
          wrapInSingleThread(rewriter, &op);
        }
      }
    }
  }
};

} // namespace
} // namespace edge
