//===- OutlineRepeatedLayers.cpp - one function per repeated layer ---------===//
//
// A decoder of L identical layers reaches this point as L copies of the same ops, which
// differ only in the values they read: each layer's weight views and offsets, and the
// buffers the previous layer wrote. Compiling them L times costs L times the LLVM time and code size. This pass
// finds the longest run of identical blocks of top-level ops in the entry and replaces
// each block with a call of one function made from the first block; what the blocks
// read from outside becomes the function's arguments (constants that every block shares
// are cloned into it instead), what later ops read of a block becomes its results.
//
// It runs on buffers, before the memory plan (each function then plans its own arena)
// and before loops are lowered: every top-level op of the entry is straight-line code and
// the blocks are contiguous, so a call placed where a block's last op was executes the
// same ops in the same order. A buffer a block allocates and later ops read is allocated
// by the caller instead and passed in, so the entry's plan sees its lifetime. Two kinds of
// op float between the blocks: constants, and deallocations: one of a buffer the block
// allocated (a lowering's scratch) goes into the function, one of a buffer from outside
// moves to just after the call. The first layer usually stays inline: it computes what
// the later layers share (CSE merged their copies into it).
//
//===----------------------------------------------------------------------===//
#include "codegen/common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace edge {
#define GEN_PASS_DEF_OUTLINEREPEATEDLAYERSPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

bool isConstant(Operation *op) { return op->hasTrait<OpTrait::ConstantLike>(); }

/// Ops that do not take part in finding the repeated blocks: constants (outside every
/// block) and deallocations, which sit after a buffer's last use wherever that falls.
bool isFloating(Operation *op) { return isConstant(op) || isa<memref::DeallocOp>(op); }

/// The op of `entry` (the entry's block) that holds `value`'s definition, or null for the
/// entry's own arguments.
Operation *topLevelOwner(Value value, Block *entry) {
  if (Operation *definer = value.getDefiningOp()) return entry->findAncestorOpInBlock(*definer);
  Block *owner = value.getParentBlock();
  return owner == entry ? nullptr : entry->findAncestorOpInBlock(*owner->getParentOp());
}

/// A hash of what makes two ops the same code: name, attributes, types, and the same of
/// the ops nested in their regions; not which values they read.
llvm::hash_code structuralHash(Operation *op) {
  llvm::hash_code hash = OperationEquivalence::computeHash(
      op, [](Value value) { return hash_value(value.getType()); }, OperationEquivalence::ignoreHashValue,
      OperationEquivalence::IgnoreLocations);
  op->walk([&](Operation *nested) {
    if (nested != op)
      hash = llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                          nested, [](Value value) { return hash_value(value.getType()); },
                                          OperationEquivalence::ignoreHashValue, OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

/// Compares a block of ops with the first block, op by op and region by region, mapping
/// the values each defines onto the first block's; the values they read from outside
/// pair up in `inputs` (first block's value -> this block's).
class BlockMatcher {
public:
  bool matchOps(ArrayRef<Operation *> first, ArrayRef<Operation *> other) {
    for (auto [a, b] : llvm::zip_equal(first, other))
      if (!matchOp(a, b)) return false;
    return true;
  }

  llvm::MapVector<Value, Value> inputs;

private:
  bool matchValue(Value a, Value b) {
    if (auto it = defined.find(a); it != defined.end()) return it->second == b;
    if (definedOther.contains(b)) return false; // the other block's own value where the first reads an outside one
    auto [it, inserted] = inputs.insert({a, b});
    return inserted || it->second == b;
  }

  bool matchOp(Operation *a, Operation *b) {
    if (a->getName() != b->getName() || a->getRawDictionaryAttrs() != b->getRawDictionaryAttrs() ||
        a->getPropertiesAsAttribute() != b->getPropertiesAsAttribute() || a->getResultTypes() != b->getResultTypes() ||
        a->getNumOperands() != b->getNumOperands() || a->getNumRegions() != b->getNumRegions() ||
        a->getNumSuccessors() != 0 || b->getNumSuccessors() != 0)
      return false;
    for (auto [x, y] : llvm::zip_equal(a->getOperands(), b->getOperands()))
      if (x.getType() != y.getType() || !matchValue(x, y)) return false;
    for (auto [ra, rb] : llvm::zip_equal(a->getRegions(), b->getRegions())) {
      if (ra.getBlocks().size() != rb.getBlocks().size()) return false;
      for (auto [ba, bb] : llvm::zip_equal(ra.getBlocks(), rb.getBlocks())) {
        if (ba.getArgumentTypes() != bb.getArgumentTypes() || ba.getOperations().size() != bb.getOperations().size())
          return false;
        for (auto [x, y] : llvm::zip_equal(ba.getArguments(), bb.getArguments())) define(x, y);
        for (auto [x, y] : llvm::zip_equal(ba.getOperations(), bb.getOperations()))
          if (!matchOp(&x, &y)) return false;
      }
    }
    for (auto [x, y] : llvm::zip_equal(a->getResults(), b->getResults())) define(x, y);
    return true;
  }

  void define(Value a, Value b) {
    defined[a] = b;
    definedOther.insert(b);
  }

  llvm::DenseMap<Value, Value> defined;
  llvm::DenseSet<Value> definedOther;
};

/// A run of `repeats` blocks of `period` consecutive ops from `start`; `slack` more ops
/// after the last block repeat too (any start up to start + slack works as well).
struct Run {
  size_t start = 0, period = 0, repeats = 0, slack = 0;
  size_t saved() const { return repeats > 1 ? period * (repeats - 1) : 0; }
};

/// Values crossing the boundary of the block [begin, end) of `ops`: read from outside
/// (not constants) plus defined inside and read after it.
size_t crossings(ArrayRef<Operation *> ops, size_t begin, size_t end) {
  llvm::DenseSet<Operation *> inside(ops.begin() + begin, ops.begin() + end);
  llvm::DenseSet<Value> in, out;
  Block *entry = ops[begin]->getBlock();
  for (size_t i = begin; i < end; ++i) {
    ops[i]->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands()) {
        Operation *definer = operand.getDefiningOp();
        if (definer && isConstant(definer)) continue;
        Operation *top = topLevelOwner(operand, entry);
        if (!top || !inside.contains(top)) in.insert(operand);
      }
    });
    for (Value result : ops[i]->getResults())
      for (Operation *user : result.getUsers())
        if (Operation *top = ops[i]->getBlock()->findAncestorOpInBlock(*user); !top || !inside.contains(top)) {
          out.insert(result);
          break;
        }
  }
  return in.size() + out.size();
}

/// The longest run of identical blocks (by structural hash) with at least `minimum` ops
/// a block, its phase chosen where the fewest values cross a block's boundary.
Run findRun(ArrayRef<Operation *> ops, size_t minimum) {
  std::vector<llvm::hash_code> hashes;
  for (Operation *op : ops) hashes.push_back(structuralHash(op));
  const size_t n = ops.size();
  Run best;
  for (size_t period = std::max<size_t>(minimum, 1); 2 * period <= n; ++period) {
    for (size_t i = 0; i + period < n;) {
      if (hashes[i] != hashes[i + period]) {
        ++i;
        continue;
      }
      size_t begin = i;
      while (i + period < n && hashes[i] == hashes[i + period]) ++i;
      size_t length = i - begin; // ops [begin, begin + length + period) repeat with this period
      if (length < period) continue;
      Run run{begin, period, length / period + 1, length % period};
      if (run.saved() > best.saved()) best = run;
    }
  }
  if (best.repeats < 2) return best;
  size_t chosen = best.start, fewest = crossings(ops, best.start, best.start + best.period);
  for (size_t start = best.start + 1; start <= best.start + best.slack; ++start)
    if (size_t count = crossings(ops, start, start + best.period); count < fewest) fewest = count, chosen = start;
  best.start = chosen;
  return best;
}

/// True when every value of `values` is a constant equal to the first one's.
bool sameConstant(ArrayRef<Value> values) {
  Operation *first = values.front().getDefiningOp();
  if (!first || !isConstant(first)) return false;
  for (Value value : values.drop_front()) {
    Operation *op = value.getDefiningOp();
    if (!op || op->getName() != first->getName() || op->getRawDictionaryAttrs() != first->getRawDictionaryAttrs() ||
        op->getPropertiesAsAttribute() != first->getPropertiesAsAttribute() || value.getType() != values.front().getType())
      return false;
  }
  return true;
}

struct OutlineRepeatedLayersPass : impl::OutlineRepeatedLayersPassBase<OutlineRepeatedLayersPass> {
  using OutlineRepeatedLayersPassBase::OutlineRepeatedLayersPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entry = module.lookupSymbol<func::FuncOp>(entryName);
    if (!entry || entry.isExternal() || !entry.getBody().hasOneBlock()) return;
    SymbolTable symbols(module);
    for (int index = 0;; ++index) {
      SmallVector<Operation *> ops;
      for (Operation &op : entry.getBody().front().without_terminator())
        if (!isFloating(&op)) ops.push_back(&op);
      if (!outlineOnce(ops, symbols, (entryName + "_layer" + llvm::Twine(index)).str())) break;
    }
  }

  /// The ops of the block whose non-floating ops are `core`: those, the deallocations
  /// among them of buffers the block allocates, and such deallocations right after it.
  /// Deallocations among them of outside buffers go to `later` (they move past the call).
  static SmallVector<Operation *> blockMembers(ArrayRef<Operation *> core, SmallVectorImpl<Operation *> &later) {
    Block *entry = core.front()->getBlock();
    llvm::DenseSet<Operation *> inside(core.begin(), core.end());
    auto internal = [&](memref::DeallocOp dealloc) {
      Operation *owner = topLevelOwner(dealloc.getMemref(), entry);
      return owner && inside.contains(owner);
    };
    SmallVector<Operation *> members;
    Operation *last = core.back();
    for (Operation *op = core.front();; op = op->getNextNode()) {
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) (internal(dealloc) ? members : later).push_back(op);
      else if (!isConstant(op)) members.push_back(op);
      if (op == last) break;
    }
    for (Operation *op = last->getNextNode(); op && !op->hasTrait<OpTrait::IsTerminator>(); op = op->getNextNode()) {
      auto dealloc = dyn_cast<memref::DeallocOp>(op);
      if (isConstant(op)) continue;
      if (!dealloc || !internal(dealloc)) break;
      members.push_back(op);
    }
    return members;
  }

  /// Outlines the best run of `ops` into a function named `name`; false when there is none.
  bool outlineOnce(ArrayRef<Operation *> ops, SymbolTable &symbols, const std::string &name) {
    Run run = findRun(ops, minimumOps);
    if (run.repeats < 2) return false;
    std::vector<SmallVector<Operation *>> blocks, later(run.repeats);
    for (size_t k = 0; k < run.repeats; ++k) {
      SmallVector<Operation *> moved;
      blocks.push_back(blockMembers(ops.slice(run.start + k * run.period, run.period), moved));
      later[k] = std::move(moved);
    }
    auto block = [&](size_t k) -> ArrayRef<Operation *> { return blocks[k]; };

    // Exact comparison; a block that differs ends the run.
    std::vector<llvm::MapVector<Value, Value>> inputs;
    for (size_t k = 1; k < run.repeats; ++k) {
      BlockMatcher matcher;
      if (block(k).size() != block(0).size() || !matcher.matchOps(block(0), block(k))) {
        run.repeats = k;
        break;
      }
      inputs.push_back(std::move(matcher.inputs));
    }
    if (run.repeats < 2) return false;

    // Buffers a block allocates and later ops read stay the caller's: their allocations
    // move out of the blocks (sized by outside values) and the function gets them as
    // arguments, so the memory plan of the entry sees their whole lifetime. Any other
    // buffer leaving a block (a view of one of its buffers) would escape the plan: no
    // outlining then.
    Block *entry = block(0).front()->getBlock();
    auto usedAfter = [&](Value value, llvm::ArrayRef<Operation *> members) {
      llvm::DenseSet<Operation *> inside(members.begin(), members.end());
      return llvm::any_of(value.getUsers(), [&](Operation *user) {
        return !inside.contains(entry->findAncestorOpInBlock(*user));
      });
    };
    std::vector<SmallVector<memref::AllocOp>> hoisted(run.repeats);
    {
      llvm::DenseSet<Operation *> first(block(0).begin(), block(0).end());
      for (size_t i = 0; i < block(0).size(); ++i)
        for (size_t k = 0; k < run.repeats; ++k) {
          Operation *op = block(k)[i];
          bool leaves = llvm::any_of(op->getResults(), [&](Value v) { return usedAfter(v, block(k)); });
          if (!leaves || !llvm::any_of(op->getResultTypes(), llvm::IsaPred<BaseMemRefType>)) continue;
          auto alloc = dyn_cast<memref::AllocOp>(block(0)[i]);
          if (!alloc || llvm::any_of(alloc->getOperands(), [&](Value v) {
                Operation *owner = topLevelOwner(v, entry);
                return owner && first.contains(owner);
              }))
            return false;
          for (size_t j = 0; j < run.repeats; ++j) {
            hoisted[j].push_back(cast<memref::AllocOp>(block(j)[i]));
            if (j > 0) inputs[j - 1][alloc.getResult()] = block(j)[i]->getResult(0);
          }
          break;
        }
      for (size_t k = 0; k < run.repeats; ++k) {
        llvm::DenseSet<Operation *> moved;
        for (memref::AllocOp alloc : hoisted[k]) moved.insert(alloc);
        llvm::erase_if(blocks[k], [&](Operation *op) { return moved.contains(op); });
      }
    }

    // The first block's outside values, in order of first use; each either an argument
    // or, where every block reads the same constant, a clone inside the function.
    llvm::SetVector<Value> outside;
    llvm::DenseSet<Operation *> first(block(0).begin(), block(0).end());
    for (Operation *op : block(0))
      op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          if (Operation *top = topLevelOwner(operand, entry); !top || !first.contains(top)) outside.insert(operand);
      });
    // A block's results, once its call replaced it, are the call's.
    llvm::DenseMap<Value, Value> replaced;
    auto valueIn = [&](size_t k, Value value) -> Value {
      if (k > 0)
        if (auto it = inputs[k - 1].find(value); it != inputs[k - 1].end()) value = it->second;
      auto it = replaced.find(value);
      return it == replaced.end() ? value : it->second;
    };
    SmallVector<Value> arguments;
    SmallVector<Value> cloned;
    for (Value value : outside) {
      SmallVector<Value> perBlock;
      for (size_t k = 0; k < run.repeats; ++k) perBlock.push_back(valueIn(k, value));
      (sameConstant(perBlock) ? cloned : arguments).push_back(value);
    }

    // Results: every value of a block that something after the block reads, in any block.
    llvm::DenseMap<Operation *, size_t> blockOf; // top-level op -> its block
    for (size_t k = 0; k < run.repeats; ++k)
      for (Operation *op : block(k)) blockOf[op] = k;
    SmallVector<std::pair<size_t, unsigned>> results; // (op in the block, result number)
    for (size_t i = 0; i < block(0).size(); ++i)
      for (unsigned r = 0; r < block(0)[i]->getNumResults(); ++r)
        for (size_t k = 0; k < run.repeats; ++k) {
          Value value = block(k)[i]->getResult(r);
          bool usedAfter = llvm::any_of(value.getUsers(), [&](Operation *user) {
            auto it = blockOf.find(entry->findAncestorOpInBlock(*user));
            return it == blockOf.end() || it->second != k;
          });
          if (usedAfter) {
            results.push_back({i, r});
            break;
          }
        }

    // The function, from the first block.
    Operation *firstOp = block(0).front();
    OpBuilder builder(firstOp->getContext());
    builder.setInsertionPoint(firstOp->getParentOfType<func::FuncOp>());
    SmallVector<Type> argumentTypes, resultTypes;
    for (Value value : arguments) argumentTypes.push_back(value.getType());
    for (auto [i, r] : results) resultTypes.push_back(block(0)[i]->getResult(r).getType());
    auto function = func::FuncOp::create(builder, firstOp->getLoc(), name,
                                         builder.getFunctionType(argumentTypes, resultTypes));
    function.setPrivate();
    symbols.insert(function);
    Block *body = function.addEntryBlock();
    IRMapping mapping;
    for (auto [value, argument] : llvm::zip_equal(arguments, body->getArguments())) mapping.map(value, argument);
    builder.setInsertionPointToStart(body);
    for (Value value : cloned) builder.clone(*value.getDefiningOp(), mapping);
    for (Operation *op : block(0)) builder.clone(*op, mapping);
    SmallVector<Value> returned;
    for (auto [i, r] : results) returned.push_back(mapping.lookup(block(0)[i]->getResult(r)));
    func::ReturnOp::create(builder, firstOp->getLoc(), returned);

    // Each block becomes a call where its last op was.
    for (size_t k = 0; k < run.repeats; ++k) {
      ArrayRef<Operation *> ops = block(k);
      Operation *anchor = ops.back();
      for (memref::AllocOp alloc : hoisted[k]) {
        alloc->moveAfter(anchor);
        anchor = alloc;
      }
      builder.setInsertionPointAfter(anchor);
      SmallVector<Value> operands;
      for (Value value : arguments) operands.push_back(valueIn(k, value));
      auto call = func::CallOp::create(builder, ops.front()->getLoc(), function, operands);
      for (auto [position, result] : llvm::enumerate(results)) {
        Value old = ops[result.first]->getResult(result.second);
        old.replaceAllUsesWith(call.getResult(position));
        replaced[old] = call.getResult(position);
      }
      for (Operation *op : llvm::reverse(later[k])) op->moveAfter(call);
      for (Operation *op : llvm::reverse(ops)) {
        op->dropAllUses();
        op->erase();
      }
    }
    return true;
  }
};

} // namespace
} // namespace edge
