//===- MemoryPlan.cpp - the edge-memory-plan pass -------------------------===//
#include "codegen/common/Passes.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace edge {
#define GEN_PASS_DEF_MEMORYPLANPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  unsigned start = 0, end = 0; // live range, as positions in the entry block
  Value bytes;                 // size in bytes, rounded up to kAlignment
  unsigned slot = 0;
};

/// The ancestor of `op` that sits directly in `block`, or null.
Operation *ancestorIn(Block &block, Operation *op) { return block.findAncestorOpInBlock(*op); }

/// Collects `value`'s users, following views and reshapes that alias it. Returns false if
/// the buffer escapes (returned, or yielded out of a region), which leaves it alone.
bool collectUsers(Value value, SmallVectorImpl<Operation *> &users) {
  for (Operation *user : value.getUsers()) {
    if (user->hasTrait<OpTrait::IsTerminator>()) return false;
    users.push_back(user);
    if (auto view = dyn_cast<ViewLikeOpInterface>(user); view && view.getViewSource() == value)
      for (Value result : user->getResults())
        if (!collectUsers(result, users)) return false;
  }
  return true;
}

/// The pure, top-level ops of `block` that compute `value` from function arguments and
/// constants, in block order; false if `value` depends on anything else.
bool collectSizeChain(Value value, Block &block, llvm::SetVector<Operation *> &chain) {
  if (auto arg = dyn_cast<BlockArgument>(value)) return arg.getOwner() == &block;
  Operation *def = value.getDefiningOp();
  if (def->getBlock() != &block || !(isPure(def) || isa<memref::DimOp>(def))) return false;
  for (Value operand : def->getOperands())
    if (!collectSizeChain(operand, block, chain)) return false;
  chain.insert(def);
  return true;
}

struct MemoryPlanPass : impl::MemoryPlanPassBase<MemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal()) return;
    Block &entry = func.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(entry)) position[&op] = i;

    SmallVector<Buffer> planned;
    SmallVector<std::pair<memref::AllocOp, Operation *>> unplanned; // alloc, last user
    llvm::SetVector<Operation *> sizeChain;
    func.walk([&](memref::AllocOp alloc) {
      SmallVector<Operation *> users;
      if (!collectUsers(alloc.getResult(), users)) return; // escapes: caller owns it
      Block *block = alloc->getBlock();
      Operation *last = alloc;
      for (Operation *user : users) {
        Operation *top = block->findAncestorOpInBlock(*user);
        if (top && last->isBeforeInBlock(top)) last = top;
      }
      llvm::SetVector<Operation *> chain;
      bool hoistable = block == &entry &&
                       llvm::all_of(alloc.getDynamicSizes(), [&](Value v) { return collectSizeChain(v, entry, chain); });
      if (!hoistable || !alloc.getType().getLayout().isIdentity()) {
        unplanned.push_back({alloc, last});
        return;
      }
      sizeChain.insert(chain.begin(), chain.end());
      planned.push_back({alloc, position[alloc], position[ancestorIn(entry, last)], Value(), 0});
    });

    // Buffers that cannot live in the arena get freed after their last use (unless the
    // pass that made them frees them already).
    OpBuilder builder(&getContext());
    for (auto [alloc, last] : unplanned) {
      if (llvm::any_of(alloc->getUsers(), llvm::IsaPred<memref::DeallocOp>)) continue;
      builder.setInsertionPointAfter(last);
      memref::DeallocOp::create(builder, alloc.getLoc(), alloc.getResult());
    }
    if (planned.empty()) return;

    // Hoist the size computations (pure, from arguments) to the entry, in block order.
    SmallVector<Operation *> chain(sizeChain.begin(), sizeChain.end());
    llvm::sort(chain, [&](Operation *a, Operation *b) { return position[a] < position[b]; });
    Operation *previous = nullptr;
    for (Operation *op : chain) {
      if (previous) op->moveAfter(previous);
      else op->moveBefore(&entry.front());
      previous = op;
    }
    if (previous) builder.setInsertionPointAfter(previous);
    else builder.setInsertionPointToStart(&entry);
    Location loc = func.getLoc();
    auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(builder, loc, v).getResult(); };

    DataLayout layout = DataLayout::closest(func);
    for (Buffer &buffer : planned) {
      MemRefType type = buffer.alloc.getType();
      int64_t staticBytes = static_cast<int64_t>(layout.getTypeSize(type.getElementType()));
      Value bytes;
      unsigned dynamicIndex = 0;
      for (int64_t dim : type.getShape()) {
        if (ShapedType::isDynamic(dim)) {
          Value size = buffer.alloc.getDynamicSizes()[dynamicIndex++];
          bytes = bytes ? arith::MulIOp::create(builder, loc, bytes, size).getResult() : size;
        } else {
          staticBytes *= dim;
        }
      }
      bytes = bytes ? arith::MulIOp::create(builder, loc, bytes, constant(staticBytes)).getResult()
                    : constant(staticBytes);
      // Round up to the alignment: (bytes + 63) & ~63.
      Value rounded = arith::AddIOp::create(builder, loc, bytes, constant(kAlignment - 1));
      buffer.bytes = arith::AndIOp::create(builder, loc, rounded, constant(~(kAlignment - 1)));
    }

    // First-fit slots by live range: a slot is free once its last buffer is dead.
    llvm::sort(planned, [](const Buffer &a, const Buffer &b) { return a.start < b.start; });
    SmallVector<unsigned> slotEnd;
    SmallVector<Value> slotBytes;
    for (Buffer &buffer : planned) {
      unsigned slot = 0;
      while (slot < slotEnd.size() && slotEnd[slot] >= buffer.start) ++slot;
      if (slot == slotEnd.size()) {
        slotEnd.push_back(buffer.end);
        slotBytes.push_back(buffer.bytes);
      } else {
        slotEnd[slot] = buffer.end;
        slotBytes[slot] = arith::MaxUIOp::create(builder, loc, slotBytes[slot], buffer.bytes);
      }
      buffer.slot = slot;
    }
    SmallVector<Value> slotOffset;
    Value total = constant(0);
    for (Value bytes : slotBytes) {
      slotOffset.push_back(total);
      total = arith::AddIOp::create(builder, loc, total, bytes);
    }
    auto arenaType = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
    Value arena = memref::AllocOp::create(builder, loc, arenaType, ValueRange{total},
                                          builder.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : planned) {
      // The arena is freed at the return; a buffer's own deallocation goes.
      for (Operation *user : llvm::make_early_inc_range(buffer.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user)) user->erase();
      builder.setInsertionPoint(buffer.alloc);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(), buffer.alloc.getType(), arena,
                                          slotOffset[buffer.slot], buffer.alloc.getDynamicSizes());
      buffer.alloc.getResult().replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    func.walk([&](func::ReturnOp ret) {
      builder.setInsertionPoint(ret);
      memref::DeallocOp::create(builder, loc, arena);
    });
  }
};

} // namespace
} // namespace edge
