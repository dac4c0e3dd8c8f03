//===- QuantizedOpsToLoops.cpp - the edge-quantized-ops-to-loops pass -----===//
//
// Block layout (runtime/include/edge/weights_format.h): per block an f16 scale (q4_1: and
// an f16 minimum), then q8_0: `block` int8 values; q4_0/q4_1: nibbles in runs of 16
// values, byte i of a run holding value i (low nibble) and value i + 8 (high nibble).
//
//===----------------------------------------------------------------------===//
#include "codegen/common/HalfFloat.h"
#include "codegen/spirv/Passes.h"

namespace edge {
#define GEN_PASS_DEF_QUANTIZEDOPSTOLOOPSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Builds the index and integer arithmetic of one block read.
struct BlockReader {
  OpBuilder &b;
  Location loc;
  Value bytes; // memref<?xi8>, the weight
  llvm::StringRef format;
  int64_t block;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); }
  Value f32(double v) { return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(static_cast<float>(v))); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }

  /// The byte at `at`, zero-extended to i32.
  Value byte(Value at) {
    Value raw = memref::LoadOp::create(b, loc, bytes, at);
    return arith::ExtUIOp::create(b, loc, b.getI32Type(), raw);
  }

  /// The little-endian f16 at `at` as f32, decoded with integer operations: 16-bit
  /// floats in shaders are an optional Vulkan feature.
  Value half(Value at) {
    Value low = byte(at), high = byte(add(at, index(1)));
    return halfBitsToF32(b, loc, arith::OrIOp::create(b, loc, low, arith::ShLIOp::create(b, loc, high, i32(8))));
  }

  int64_t header() { return format == "q4_1" ? 4 : 2; }

  /// Quantized value `t` (index within the block) of the block at `base`, as i32: the
  /// signed int8 for q8_0, the nibble minus 8 for q4_0, the nibble for q4_1.
  Value integer(Value base, Value t) {
    Value data = add(base, index(header()));
    if (format == "q8_0") {
      Value raw = memref::LoadOp::create(b, loc, bytes, add(data, t));
      return arith::ExtSIOp::create(b, loc, b.getI32Type(), raw);
    }
    Value inRun = arith::RemUIOp::create(b, loc, t, index(16));
    Value run = arith::DivUIOp::create(b, loc, t, index(16));
    Value at = add(add(data, arith::MulIOp::create(b, loc, run, index(8))), arith::RemUIOp::create(b, loc, inRun, index(8)));
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, inRun, index(8));
    Value shift = arith::SelectOp::create(b, loc, high, i32(4), i32(0));
    Value nibble = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, byte(at), shift), i32(15));
    if (format == "q4_0") nibble = arith::SubIOp::create(b, loc, nibble, i32(8));
    return nibble;
  }

  /// The same value as f32.
  Value value(Value base, Value t) { return arith::SIToFPOp::create(b, loc, b.getF32Type(), integer(base, t)); }
};

/// A parallel loop over every element of `init` (a buffer); `body` gets the indices.
void forEachElement(OpBuilder &b, Location loc, Value init,
                    llvm::function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<MemRefType>(init.getType());
  SmallVector<Value> lower, upper, steps;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    lower.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    upper.push_back(memref::DimOp::create(b, loc, init, d));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  scf::ParallelOp::create(b, loc, lower, upper, steps, body);
}

/// A parallel loop over [0, upper...).
void forEachIndex(OpBuilder &b, Location loc, ArrayRef<Value> upper,
                  llvm::function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Value> lower(upper.size(), arith::ConstantIndexOp::create(b, loc, 0));
  SmallVector<Value> steps(upper.size(), arith::ConstantIndexOp::create(b, loc, 1));
  scf::ParallelOp::create(b, loc, lower, upper, steps, body);
}

/// A sequential loop over [0, n) carrying `inits`; `body` returns the next values.
scf::ForOp loop(OpBuilder &b, Location loc, Value n, ValueRange inits,
                llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  return scf::ForOp::create(b, loc, zero, n, one, inits, [&](OpBuilder &bb, Location l, Value i, ValueRange state) {
    scf::YieldOp::create(bb, l, body(bb, l, i, state));
  });
}

/// The activations of a quantized matmul quantized as the CPU ukernels do
/// (uk_quantize_row in runtime/ukernels/qmatmul_driver.h), so that both targets compute
/// the same integer dot products: per row and block, scale = max |x| / 127 and
/// q = x * (127 / max |x|) rounded half away from zero, clamped to +-127.
struct QuantizedActivations {
  Value values; // memref<?xi32>: rows * K
  Value scales; // memref<?xf32>: rows * blocks
  Value sums;   // memref<?xi32>: rows * blocks, the sum of each block's values (for q4_1)
};

/// The row index of `ivs` (the input's leading indices): b * M + m for [B, M, K].
Value rowOf(OpBuilder &b, Location loc, Value input, ValueRange ivs) {
  if (ivs.size() == 1) return ivs[0];
  Value m = memref::DimOp::create(b, loc, input, 1);
  return arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, ivs[0], m), ivs[1]);
}

QuantizedActivations quantizeActivations(OpBuilder &b, Location loc, Value input, int64_t block, Value blocks) {
  auto type = cast<MemRefType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<Value> leading;
  Value rows = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d + 1 < rank; ++d) {
    leading.push_back(memref::DimOp::create(b, loc, input, d));
    rows = arith::MulIOp::create(b, loc, rows, leading.back());
  }
  Value k = memref::DimOp::create(b, loc, input, rank - 1);
  auto flat = [&](Type element, Value size) {
    return memref::AllocOp::create(b, loc, MemRefType::get({ShapedType::kDynamic}, element), ValueRange{size}).getResult();
  };
  Value perRow = arith::MulIOp::create(b, loc, rows, blocks);
  QuantizedActivations act{flat(b.getI32Type(), arith::MulIOp::create(b, loc, rows, k)), flat(b.getF32Type(), perRow),
                           flat(b.getI32Type(), perRow)};
  SmallVector<Value> upper(leading);
  upper.push_back(blocks);
  forEachIndex(b, loc, upper, [&](OpBuilder &pb, Location l, ValueRange ivs) {
    BlockReader r{pb, l, Value(), "", block};
    Value j = ivs.back();
    Value first = arith::MulIOp::create(pb, l, j, r.index(block));
    auto x = [&](OpBuilder &xb, Location xl, Value t) {
      SmallVector<Value> at(ivs.drop_back());
      at.push_back(arith::AddIOp::create(xb, xl, first, t));
      return memref::LoadOp::create(xb, xl, input, at).getResult();
    };
    Value zero = r.f32(0.0);
    auto amax = loop(pb, l, r.index(block), ValueRange{zero}, [&](OpBuilder &lb, Location ll, Value t, ValueRange m) {
      Value v = x(lb, ll, t);
      Value negative = arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OLT, v, zero);
      v = arith::SelectOp::create(lb, ll, negative, arith::NegFOp::create(lb, ll, v), v);
      Value larger = arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OGT, v, m[0]);
      return SmallVector<Value>{arith::SelectOp::create(lb, ll, larger, v, m[0])};
    });
    Value highest = amax.getResult(0);
    Value f127 = r.f32(127.0);
    Value scale = arith::DivFOp::create(pb, l, highest, f127);
    Value positive = arith::CmpFOp::create(pb, l, arith::CmpFPredicate::OGT, highest, zero);
    Value inverse = arith::SelectOp::create(pb, l, positive, arith::DivFOp::create(pb, l, f127, highest), zero);
    Value row = rowOf(pb, l, input, ivs.drop_back());
    Value rowStart = arith::MulIOp::create(pb, l, row, memref::DimOp::create(pb, l, input, rank - 1));
    auto sum = loop(pb, l, r.index(block), ValueRange{r.i32(0)}, [&](OpBuilder &lb, Location ll, Value t, ValueRange s) {
      BlockReader rl{lb, ll, Value(), "", block};
      Value v = arith::MulFOp::create(lb, ll, x(lb, ll, t), inverse);
      Value negative = arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OLT, v, rl.f32(0.0));
      Value half = arith::SelectOp::create(lb, ll, negative, rl.f32(-0.5), rl.f32(0.5));
      Value q = arith::FPToSIOp::create(lb, ll, lb.getI32Type(), arith::AddFOp::create(lb, ll, v, half));
      q = arith::MinSIOp::create(lb, ll, arith::MaxSIOp::create(lb, ll, q, rl.i32(-127)), rl.i32(127));
      memref::StoreOp::create(lb, ll, q, act.values, rl.add(rowStart, rl.add(first, t)));
      return SmallVector<Value>{arith::AddIOp::create(lb, ll, s[0], q)};
    });
    Value at = r.add(arith::MulIOp::create(pb, l, row, blocks), j);
    memref::StoreOp::create(pb, l, scale, act.scales, at);
    memref::StoreOp::create(pb, l, sum.getResult(0), act.sums, at);
    scf::ReduceOp::create(pb, l);
  });
  return act;
}

/// init[..., m, n] = sum over blocks j of (a_j * w_j) * (sum_t qa_t * qw_t) (q4_1: plus
/// (a_j * minimum_j) * sum_t qa_t), with qa and a_j the quantized activations and their
/// scales and w_j the weight block's f16 scale: one output element per iteration.
void lowerMatmul(OpBuilder &builder, QuantizedMatmulOp op) {
  Location loc = op.getLoc();
  int64_t block = op.getBlockSize();
  int64_t blockBytes = weightBlockBytes(op.getFormat(), block);
  Value input = op.getInput(), init = op.getInit();
  builder.setInsertionPoint(op);
  int64_t rank = cast<MemRefType>(input.getType()).getRank();
  Value k = memref::DimOp::create(builder, loc, input, rank - 1);
  Value blocks = arith::DivUIOp::create(builder, loc, k, arith::ConstantIndexOp::create(builder, loc, block));
  QuantizedActivations act = quantizeActivations(builder, loc, input, block, blocks);
  forEachElement(builder, loc, init, [&](OpBuilder &b, Location l, ValueRange ivs) {
    BlockReader r{b, l, op.getWeight(), op.getFormat(), block};
    Value n = ivs.back();
    Value row = rowOf(b, l, input, ivs.drop_back());
    Value rowBlocks = arith::MulIOp::create(b, l, row, blocks);
    Value rowStart = arith::MulIOp::create(b, l, row, k);
    auto blockLoop = loop(b, l, blocks, ValueRange{r.f32(0.0)}, [&](OpBuilder &bb, Location ll, Value j, ValueRange acc) {
      BlockReader rb{bb, ll, op.getWeight(), op.getFormat(), block};
      Value base = arith::MulIOp::create(bb, ll, rb.add(arith::MulIOp::create(bb, ll, n, blocks), j), rb.index(blockBytes));
      Value first = rb.add(rowStart, arith::MulIOp::create(bb, ll, j, rb.index(block)));
      auto dot = loop(bb, ll, rb.index(block), ValueRange{rb.i32(0)}, [&](OpBuilder &vb, Location vl, Value t, ValueRange s) {
        BlockReader rv{vb, vl, op.getWeight(), op.getFormat(), block};
        Value qa = memref::LoadOp::create(vb, vl, act.values, rv.add(first, t));
        return SmallVector<Value>{arith::AddIOp::create(vb, vl, s[0], arith::MulIOp::create(vb, vl, qa, rv.integer(base, t)))};
      });
      Value at = rb.add(rowBlocks, j);
      Value scale = memref::LoadOp::create(bb, ll, act.scales, at);
      auto times = [&](Value x, Value y) { return arith::MulFOp::create(bb, ll, x, y).getResult(); };
      auto toF32 = [&](Value v) { return arith::SIToFPOp::create(bb, ll, bb.getF32Type(), v).getResult(); };
      Value total = arith::AddFOp::create(bb, ll, acc[0], times(times(scale, rb.half(base)), toF32(dot.getResult(0))));
      if (op.getFormat() == "q4_1") {
        Value minimum = rb.half(rb.add(base, rb.index(2)));
        Value sum = toF32(memref::LoadOp::create(bb, ll, act.sums, at));
        total = arith::AddFOp::create(bb, ll, total, times(times(scale, minimum), sum));
      }
      return SmallVector<Value>{total};
    });
    memref::StoreOp::create(b, l, blockLoop.getResult(0), init, ivs);
    scf::ReduceOp::create(b, l);
  });
  op.erase();
}

/// init[..., w] = the dequantized value w of table row indices[...] (negative ids count
/// from the end; ids out of range give 0).
void lowerEmbedding(OpBuilder &builder, QuantizedEmbeddingOp op) {
  Location loc = op.getLoc();
  int64_t block = op.getBlockSize(), rows = op.getRows();
  int64_t blockBytes = weightBlockBytes(op.getFormat(), block);
  Value init = op.getInit();
  builder.setInsertionPoint(op);
  int64_t rank = cast<MemRefType>(init.getType()).getRank();
  Value width = memref::DimOp::create(builder, loc, init, rank - 1);
  Value rowBlocks = arith::DivUIOp::create(builder, loc, width, arith::ConstantIndexOp::create(builder, loc, block));
  forEachElement(builder, loc, init, [&](OpBuilder &b, Location l, ValueRange ivs) {
    BlockReader r{b, l, op.getTable(), op.getFormat(), block};
    Value id = memref::LoadOp::create(b, l, op.getIndices(), ivs.drop_back());
    Value rowsI64 = arith::ConstantIntOp::create(b, l, b.getI64Type(), rows);
    Value zeroI64 = arith::ConstantIntOp::create(b, l, b.getI64Type(), 0);
    Value negative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, id, zeroI64);
    id = arith::SelectOp::create(b, l, negative, arith::AddIOp::create(b, l, id, rowsI64), id);
    Value valid = arith::AndIOp::create(b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, id, zeroI64),
                                        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, id, rowsI64));
    // An invalid id reads row 0 (always there) and is replaced by zero below.
    Value rowIndex = arith::IndexCastOp::create(b, l, b.getIndexType(), arith::SelectOp::create(b, l, valid, id, zeroI64));
    Value w = ivs.back();
    Value j = arith::DivUIOp::create(b, l, w, r.index(block));
    Value t = arith::RemUIOp::create(b, l, w, r.index(block));
    Value base = arith::MulIOp::create(b, l, r.add(arith::MulIOp::create(b, l, rowIndex, rowBlocks), j), r.index(blockBytes));
    Value value = arith::MulFOp::create(b, l, r.half(base), r.value(base, t));
    if (op.getFormat() == "q4_1") value = arith::AddFOp::create(b, l, value, r.half(r.add(base, r.index(2))));
    memref::StoreOp::create(b, l, arith::SelectOp::create(b, l, valid, value, r.f32(0.0)), init, ivs);
    scf::ReduceOp::create(b, l);
  });
  op.erase();
}

struct QuantizedOpsToLoopsPass : impl::QuantizedOpsToLoopsPassBase<QuantizedOpsToLoopsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<QuantizedMatmulOp, QuantizedEmbeddingOp>(op)) ops.push_back(op);
    });
    OpBuilder builder(&getContext());
    for (Operation *op : ops) {
      if (!isa<MemRefType>(op->getOperand(0).getType())) {
        op->emitError("quantized op on tensors: run after bufferization");
        return signalPassFailure();
      }
      if (auto matmul = dyn_cast<QuantizedMatmulOp>(op)) lowerMatmul(builder, matmul);
      else lowerEmbedding(builder, cast<QuantizedEmbeddingOp>(op));
    }
  }
};

} // namespace
} // namespace edge
