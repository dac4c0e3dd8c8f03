//===- PromoteAccumulators.cpp - the edge-promote-accumulators pass -------===//
//
// Reductions lowered to loops read and write their output element in every iteration
// (`c = load C[i]; store c + a * b, C[i]`). On a GPU that is a round trip to global memory
// per iteration, and the shader compiler may not keep C[i] in a register itself because
// storage buffers may alias. The element becomes the loop's carried value instead: loaded
// once before the loop, stored once after.
//
// Aliasing is judged by SSA value: a load of another memref value is taken not to read the
// stored element. That holds for the loops this runs on, made from bufferized linalg ops,
// whose outputs bufferization never places over an input they read at other indices.
//
//===----------------------------------------------------------------------===//
#include "codegen/spirv/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace edge {
#define GEN_PASS_DEF_PROMOTEACCUMULATORSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// The load and store of one element that `loop` can carry instead: both directly in the
/// body, the load first, at the same loop-invariant indices of the same buffer; the store
/// the loop's only write to any buffer and no other op in it reading that buffer.
std::optional<std::pair<memref::LoadOp, memref::StoreOp>> findAccumulator(scf::ForOp loop) {
  auto invariant = [&](Value v) { return !loop->isAncestor(v.getParentRegion()->getParentOp()); };
  memref::StoreOp store;
  bool other = false;
  loop.getBody()->walk([&](Operation *op) {
    if (auto s = dyn_cast<memref::StoreOp>(op)) {
      other |= store != nullptr || s->getBlock() != loop.getBody();
      store = s;
    } else if (!isa<memref::LoadOp>(op) && !isMemoryEffectFree(op) && !isa<scf::YieldOp>(op) &&
               !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
      other = true; // a call or another write: leave the loop alone
    }
  });
  if (!store || other) return std::nullopt;
  Value buffer = store.getMemRef();
  if (!invariant(buffer) || !llvm::all_of(store.getIndices(), invariant)) return std::nullopt;
  memref::LoadOp load;
  bool conflict = false;
  loop.getBody()->walk([&](memref::LoadOp l) {
    if (l.getMemRef() != buffer) return;
    bool same = l->getBlock() == loop.getBody() && l.getIndices() == store.getIndices() && !load &&
                l->isBeforeInBlock(store);
    if (same) load = l;
    else conflict = true;
  });
  if (!load || conflict) return std::nullopt;
  return std::make_pair(load, store);
}

void promote(RewriterBase &rewriter, scf::ForOp loop) {
  auto found = findAccumulator(loop);
  if (!found) return;
  memref::LoadOp load = found->first;
  memref::StoreOp store = found->second;
  rewriter.setInsertionPoint(loop);
  Value initial = memref::LoadOp::create(rewriter, load.getLoc(), load.getMemRef(), load.getIndices());
  auto carried = cast<LoopLikeOpInterface>(loop.getOperation())
                     .replaceWithAdditionalYields(rewriter, ValueRange{initial}, /*replaceInitOperandUsesInLoop=*/false,
                                                  [&](OpBuilder &, Location, ArrayRef<BlockArgument> args) {
                                                    rewriter.replaceAllUsesWith(load.getResult(), args.front());
                                                    return SmallVector<Value>{store.getValueToStore()};
                                                  });
  if (failed(carried)) return;
  Operation *newLoop = carried->getOperation();
  rewriter.setInsertionPointAfter(newLoop);
  memref::StoreOp::create(rewriter, store.getLoc(), newLoop->getResults().back(), store.getMemRef(),
                          store.getIndices());
  rewriter.eraseOp(store);
  rewriter.eraseOp(load);
}

struct PromoteAccumulatorsPass : impl::PromoteAccumulatorsPassBase<PromoteAccumulatorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    // Index arithmetic recomputed in the body would hide that the indices are invariant:
    // hoist it out of each loop and merge the copies.
    func.walk([](scf::ForOp loop) { moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation())); });
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    // Innermost loops first: a promoted inner loop's load and store may then promote out
    // of the loop around it.
    SmallVector<scf::ForOp> loops;
    func.walk<WalkOrder::PostOrder>([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) promote(rewriter, loop);
  }
};

} // namespace
} // namespace edge
