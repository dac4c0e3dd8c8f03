//===- PagedAttentionToLoops.cpp - the edge-paged-attention-to-loops pass -===//
//
// GPU targets have no runtime attention kernel to call: the attention context is the KV
// arena, a device buffer of 32-bit words whose layout edge/model_abi.h fixes (header,
// per-token records, page tables, then the pages), and edge.paged_attention becomes two
// parallel loop nests over it. The host checks before every step that each position a
// token reads has a page, so the kernels never meet a missing one.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

#include "edge/model_abi.h"

namespace edge {
#define GEN_PASS_DEF_PAGEDATTENTIONTOLOOPSPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Index arithmetic and arena reads at one insertion point.
struct Arena {
  OpBuilder &b;
  Location loc;
  Value words; // memref<?xi32>

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }

  /// Word `at` as an index (every word the kernels read as a number is non-negative).
  Value word(Value at) {
    Value raw = memref::LoadOp::create(b, loc, words, at);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
  }
  Value header(int64_t field) { return word(index(field)); }
  Value f32(Value at) {
    return arith::BitcastOp::create(b, loc, b.getF32Type(), memref::LoadOp::create(b, loc, words, at));
  }
  void storeF32(Value value, Value at) {
    memref::StoreOp::create(b, loc, arith::BitcastOp::create(b, loc, b.getI32Type(), value), words, at);
  }

  /// Field `field` of token t's record.
  Value token(Value t, int64_t field) {
    Value record = add(header(EDGE_VK_KV_TOKENS_BASE), mul(t, index(EDGE_VK_KV_TOKEN_WORDS)));
    return word(add(record, index(field)));
  }

  /// First word of the row (layer, key or value, kv head, position) of a token's sequence
  /// (kv_cache.h: a page is [layer][key|value][kv_head][token][head_dim]).
  Value row(Value table, Value position, int64_t layer, int64_t value, Value kvHead, Value kvHeads, Value dim) {
    Value pageTokens = header(EDGE_VK_KV_PAGE_TOKENS);
    Value page = word(add(table, div(position, pageTokens)));
    Value pageStart = add(header(EDGE_VK_KV_PAGES_BASE), mul(page, header(EDGE_VK_KV_PAGE_WORDS)));
    Value plane = add(mul(index(2 * layer + value), kvHeads), kvHead);
    Value rowIndex = add(mul(plane, pageTokens), rem(position, pageTokens));
    return add(pageStart, mul(rowIndex, dim));
  }
};

Value dimOf(OpBuilder &b, Location loc, Value memref, int64_t d) { return memref::DimOp::create(b, loc, memref, d); }

/// A sequential loop over [0, n) with no results.
void forEach(OpBuilder &b, Location loc, Value n, llvm::function_ref<void(OpBuilder &, Location, Value)> body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp::create(b, loc, zero, n, one, ValueRange{}, [&](OpBuilder &bb, Location l, Value i, ValueRange) {
    body(bb, l, i);
    scf::YieldOp::create(bb, l);
  });
}

/// A parallel loop over [0, upper...).
void parallel(OpBuilder &b, Location loc, ArrayRef<Value> upper,
              llvm::function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Value> lower(upper.size(), arith::ConstantIndexOp::create(b, loc, 0));
  SmallVector<Value> steps(upper.size(), arith::ConstantIndexOp::create(b, loc, 1));
  scf::ParallelOp::create(b, loc, lower, upper, steps, [&](OpBuilder &bb, Location l, ValueRange ivs) {
    body(bb, l, ivs);
    scf::ReduceOp::create(bb, l);
  });
}

void lower(PagedAttentionOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  int64_t layer = op.getLayer();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue(), out = op.getInit();
  // The arena as words: the context's size is its byte count.
  Value bytes = dimOf(b, loc, op.getContext(), 0);
  Value numWords = arith::DivUIOp::create(b, loc, bytes, arith::ConstantIndexOp::create(b, loc, 4));
  Value words = memref::ViewOp::create(b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()), op.getContext(),
                                       arith::ConstantIndexOp::create(b, loc, 0), ValueRange{numWords});
  Value heads = dimOf(b, loc, q, 1), tokens = dimOf(b, loc, q, 2), dim = dimOf(b, loc, q, 3);
  Value kvHeads = dimOf(b, loc, k, 1);
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);

  // 1. Every token's new keys and values into its pages (before any token attends, so the
  // tokens of one step see each other).
  parallel(b, loc, {tokens, kvHeads, dim}, [&](OpBuilder &pb, Location l, ValueRange ivs) {
    Arena a{pb, l, words};
    Value t = ivs[0], g = ivs[1], d = ivs[2];
    Value table = a.token(t, 0), position = a.token(t, 1);
    SmallVector<Value> at{zeroIndex, g, t, d};
    for (int64_t value : {0, 1}) {
      Value element = memref::LoadOp::create(pb, l, value ? v : k, at);
      a.storeF32(element, a.add(a.row(table, position, layer, value, g, kvHeads, dim), d));
    }
  });

  // 2. Attention of every (token, query head): one pass over its positions with a running
  // maximum m and sum s of exp(score - m), rescaling the output row as m grows.
  parallel(b, loc, {tokens, heads}, [&](OpBuilder &pb, Location l, ValueRange ivs) {
    Arena a{pb, l, words};
    Value t = ivs[0], h = ivs[1];
    Value g = a.div(h, a.div(heads, kvHeads));
    Value table = a.token(t, 0), position = a.token(t, 1), start = a.token(t, 2);
    auto outAt = [&](Value d) { return SmallVector<Value>{zeroIndex, h, t, d}; };
    Value zero = arith::ConstantFloatOp::create(pb, l, pb.getF32Type(), APFloat(0.0f));
    Value scale = arith::ConstantOp::create(pb, l, op.getScaleAttr());
    forEach(pb, l, dim, [&](OpBuilder &fb, Location fl, Value d) { memref::StoreOp::create(fb, fl, zero, out, outAt(d)); });
    auto positions = scf::ForOp::create(
        pb, l, start, a.add(position, a.index(1)), a.index(1), ValueRange{zero, zero},
        [&](OpBuilder &fb, Location fl, Value j, ValueRange state) {
          Arena r{fb, fl, words};
          Value key = r.row(table, j, layer, 0, g, kvHeads, dim);
          Value valueRow = r.row(table, j, layer, 1, g, kvHeads, dim);
          auto dot = scf::ForOp::create(
              fb, fl, r.index(0), dim, r.index(1), ValueRange{zero}, [&](OpBuilder &db, Location dl, Value d, ValueRange acc) {
                Arena e{db, dl, words};
                Value query = arith::MulFOp::create(db, dl, memref::LoadOp::create(db, dl, q, outAt(d)), scale);
                Value product = arith::MulFOp::create(db, dl, query, e.f32(e.add(key, d)));
                scf::YieldOp::create(db, dl, ValueRange{arith::AddFOp::create(db, dl, acc[0], product)});
              });
          Value score = dot.getResult(0), running = state[0], sum = state[1];
          Value first = arith::CmpIOp::create(fb, fl, arith::CmpIPredicate::eq, j, start);
          Value highest = arith::SelectOp::create(fb, fl, first, score, arith::MaximumFOp::create(fb, fl, running, score));
          // The first position has no earlier sum to rescale (and no maximum to subtract).
          Value rescale = arith::SelectOp::create(
              fb, fl, first, zero, math::ExpOp::create(fb, fl, arith::SubFOp::create(fb, fl, running, highest)));
          Value weight = math::ExpOp::create(fb, fl, arith::SubFOp::create(fb, fl, score, highest));
          forEach(fb, fl, dim, [&](OpBuilder &db, Location dl, Value d) {
            Arena e{db, dl, words};
            Value old = memref::LoadOp::create(db, dl, out, outAt(d));
            Value next = arith::AddFOp::create(db, dl, arith::MulFOp::create(db, dl, old, rescale),
                                               arith::MulFOp::create(db, dl, weight, e.f32(e.add(valueRow, d))));
            memref::StoreOp::create(db, dl, next, out, outAt(d));
          });
          Value total = arith::AddFOp::create(fb, fl, arith::MulFOp::create(fb, fl, sum, rescale), weight);
          scf::YieldOp::create(fb, fl, ValueRange{highest, total});
        });
    Value total = positions.getResult(1);
    forEach(pb, l, dim, [&](OpBuilder &fb, Location fl, Value d) {
      Value acc = memref::LoadOp::create(fb, fl, out, outAt(d));
      memref::StoreOp::create(fb, fl, arith::DivFOp::create(fb, fl, acc, total), out, outAt(d));
    });
  });
  op.erase();
}

struct PagedAttentionToLoopsPass : impl::PagedAttentionToLoopsPassBase<PagedAttentionToLoopsPass> {
  void runOnOperation() override {
    SmallVector<PagedAttentionOp> ops;
    getOperation().walk([&](PagedAttentionOp op) { ops.push_back(op); });
    for (PagedAttentionOp op : ops) {
      if (op.getNumResults() != 0) {
        op.emitError("edge.paged_attention must be bufferized before it becomes loops");
        return signalPassFailure();
      }
      lower(op);
    }
  }
};

} // namespace
} // namespace edge
