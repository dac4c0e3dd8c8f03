//===- QuantizedOpsToLoops.cpp - the edge-quantized-ops-to-loops pass -----===//
//
// Block layout (runtime/include/edge/weights_format.h): per block an f16 scale (q4_1: and
// an f16 minimum), then q8_0: `block` int8 values; q4_0/q4_1: nibbles in runs of 16
// values, byte i of a run holding value i (low nibble) and value i + 8 (high nibble).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

namespace edge {
#define GEN_PASS_DEF_QUANTIZEDOPSTOLOOPSPASS
#include "compiler/transforms/Passes.h.inc"
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
    Value bits = arith::OrIOp::create(b, loc, low, arith::ShLIOp::create(b, loc, high, i32(8)));
    Value sign = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, bits, i32(15)), i32(1));
    Value exponent = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, bits, i32(10)), i32(31));
    Value mantissa = arith::AndIOp::create(b, loc, bits, i32(1023));
    // Normal numbers: rebias the exponent (15 -> 127) and widen the mantissa.
    Value normalBits = arith::OrIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, sign, i32(31)),
        arith::OrIOp::create(b, loc, arith::ShLIOp::create(b, loc, add(exponent, i32(112)), i32(23)),
                             arith::ShLIOp::create(b, loc, mantissa, i32(13))));
    Value normal = arith::BitcastOp::create(b, loc, b.getF32Type(), normalBits);
    // Zero and subnormals: mantissa * 2^-24, signed.
    Value magnitude = arith::MulFOp::create(b, loc, arith::UIToFPOp::create(b, loc, b.getF32Type(), mantissa),
                                            f32(1.0 / 16777216.0));
    Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign, i32(0));
    Value small = arith::SelectOp::create(b, loc, negative, arith::NegFOp::create(b, loc, magnitude), magnitude);
    Value isSmall = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, exponent, i32(0));
    return arith::SelectOp::create(b, loc, isSmall, small, normal);
  }

  int64_t header() { return format == "q4_1" ? 4 : 2; }

  /// Quantized value `t` (index within the block) of the block at `base`, as f32: the
  /// signed int8 for q8_0, the nibble minus 8 for q4_0, the nibble for q4_1.
  Value value(Value base, Value t) {
    Value data = add(base, index(header()));
    if (format == "q8_0") {
      Value raw = memref::LoadOp::create(b, loc, bytes, add(data, t));
      return arith::SIToFPOp::create(b, loc, b.getF32Type(), arith::ExtSIOp::create(b, loc, b.getI32Type(), raw));
    }
    Value inRun = arith::RemUIOp::create(b, loc, t, index(16));
    Value run = arith::DivUIOp::create(b, loc, t, index(16));
    Value at = add(add(data, arith::MulIOp::create(b, loc, run, index(8))), arith::RemUIOp::create(b, loc, inRun, index(8)));
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, inRun, index(8));
    Value shift = arith::SelectOp::create(b, loc, high, i32(4), i32(0));
    Value nibble = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, byte(at), shift), i32(15));
    if (format == "q4_0") nibble = arith::SubIOp::create(b, loc, nibble, i32(8));
    return arith::SIToFPOp::create(b, loc, b.getF32Type(), nibble);
  }
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

/// init[..., m, n] = sum over blocks j of scale_j * sum_t input[..., m, j * block + t] * q_t
/// (q4_1: plus minimum_j * sum_t input[...]), one output element per iteration.
void lowerMatmul(OpBuilder &builder, QuantizedMatmulOp op) {
  Location loc = op.getLoc();
  int64_t block = op.getBlockSize();
  int64_t blockBytes = weightBlockBytes(op.getFormat(), block);
  Value input = op.getInput(), init = op.getInit();
  builder.setInsertionPoint(op);
  int64_t rank = cast<MemRefType>(input.getType()).getRank();
  Value k = memref::DimOp::create(builder, loc, input, rank - 1);
  Value blocks = arith::DivUIOp::create(builder, loc, k, arith::ConstantIndexOp::create(builder, loc, block));
  forEachElement(builder, loc, init, [&](OpBuilder &b, Location l, ValueRange ivs) {
    BlockReader r{b, l, op.getWeight(), op.getFormat(), block};
    Value n = ivs.back();
    SmallVector<Value> row(ivs.drop_back());
    Value zero = r.f32(0.0);
    auto blockLoop = scf::ForOp::create(
        b, l, r.index(0), blocks, r.index(1), ValueRange{zero}, [&](OpBuilder &bb, Location ll, Value j, ValueRange acc) {
          BlockReader rb{bb, ll, op.getWeight(), op.getFormat(), block};
          Value base = arith::MulIOp::create(bb, ll, rb.add(arith::MulIOp::create(bb, ll, n, blocks), j),
                                             rb.index(blockBytes));
          Value first = arith::MulIOp::create(bb, ll, j, rb.index(block));
          // q4_1 also needs the sum of the inputs (for its minimum).
          bool withMinimum = op.getFormat() == "q4_1";
          SmallVector<Value> inits(withMinimum ? 2 : 1, rb.f32(0.0));
          auto valueLoop = scf::ForOp::create(
              bb, ll, rb.index(0), rb.index(block), rb.index(1), inits,
              [&](OpBuilder &vb, Location vl, Value t, ValueRange sums) {
                BlockReader rv{vb, vl, op.getWeight(), op.getFormat(), block};
                SmallVector<Value> at(row);
                at.push_back(rv.add(first, t));
                Value x = memref::LoadOp::create(vb, vl, input, at);
                SmallVector<Value> next{
                    arith::AddFOp::create(vb, vl, sums[0], arith::MulFOp::create(vb, vl, x, rv.value(base, t)))};
                if (withMinimum) next.push_back(arith::AddFOp::create(vb, vl, sums[1], x));
                scf::YieldOp::create(vb, vl, next);
              });
          Value scaled = arith::MulFOp::create(bb, ll, rb.half(base), valueLoop.getResult(0));
          if (withMinimum) {
            Value minimum = rb.half(rb.add(base, rb.index(2)));
            scaled = arith::AddFOp::create(bb, ll, scaled, arith::MulFOp::create(bb, ll, minimum, valueLoop.getResult(1)));
          }
          scf::YieldOp::create(bb, ll, ValueRange{arith::AddFOp::create(bb, ll, acc[0], scaled)});
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
