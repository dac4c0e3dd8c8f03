//===- PagedAttentionToLoops.cpp - the edge-paged-attention-to-loops pass -===//
//
// GPU targets have no runtime attention kernel to call: the attention context is the KV
// arena, a device buffer of 32-bit words whose layout edge/model_abi.h fixes (header,
// per-token records, page tables, then the pages), and edge.paged_attention becomes two
// parallel loop nests over it. The host checks before every step that each position a
// token reads has a page, so the kernels never meet a missing one. The KV dtype is the
// runtime's choice, so the kernels read it from the header and store and load rows in
// the pool's format (kv_cache.h: f32; f16; int8 with an f32 scale per row), rounding as
// the CPU attention kernel does, so both runtimes hold the same cache bits.
//
//===----------------------------------------------------------------------===//
#include "codegen/common/HalfFloat.h"
#include "codegen/spirv/Passes.h"

#include "edge/codegen_abi.h"

namespace edge {
#define GEN_PASS_DEF_PAGEDATTENTIONTOLOOPSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

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
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); }
  void store(Value word, Value at) { memref::StoreOp::create(b, loc, word, words, at); }

  /// True when the pool's dtype (header word) is `dtype`.
  Value dtypeIs(int64_t dtype) {
    Value raw = memref::LoadOp::create(b, loc, words, index(EDGE_VK_KV_DTYPE));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, raw, i32(dtype));
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
    return add(pageStart, mul(rowIndex, header(EDGE_VK_KV_ROW_WORDS)));
  }

  /// Element d of the row at word `row`, as f32.
  Value load(Value row, Value d);
  /// Stores `dim` values (source(d), f32, encoded) as words of `lanes` fields of `bits`
  /// bits from word `first`: element lanes * w + k at bit k * bits of word w.
  void pack(Value first, Value dim, int64_t lanes, int64_t bits,
            llvm::function_ref<Value(OpBuilder &, Location, Value)> source,
            llvm::function_ref<Value(OpBuilder &, Location, Value)> encode);
  /// Stores `dim` values (source(d), f32) as the row at word `row`.
  void storeRow(Value row, Value dim, llvm::function_ref<Value(OpBuilder &, Location, Value)> source);
};

/// `then` if `condition`, else `otherwise`, each building one f32.
Value choose(OpBuilder &b, Location loc, Value condition, llvm::function_ref<Value(OpBuilder &, Location)> then,
             llvm::function_ref<Value(OpBuilder &, Location)> otherwise) {
  auto branch = [](llvm::function_ref<Value(OpBuilder &, Location)> build) {
    return [build](OpBuilder &bb, Location l) { scf::YieldOp::create(bb, l, build(bb, l)); };
  };
  return scf::IfOp::create(b, loc, condition, branch(then), branch(otherwise)).getResult(0);
}

Value Arena::load(Value row, Value d) {
  return choose(
      b, loc, dtypeIs(EDGE_DTYPE_F16),
      [&](OpBuilder &bb, Location l) { // two halves a word, element 2w in the low half
        Arena a{bb, l, words};
        Value word = memref::LoadOp::create(bb, l, words, a.add(row, a.div(d, a.index(2))));
        Value odd = arith::IndexCastOp::create(bb, l, bb.getI32Type(), a.rem(d, a.index(2)));
        Value shifted = arith::ShRUIOp::create(bb, l, word, arith::MulIOp::create(bb, l, odd, a.i32(16)));
        return halfBitsToF32(bb, l, arith::AndIOp::create(bb, l, shifted, a.i32(0xffff)));
      },
      [&](OpBuilder &bb, Location l) {
        return choose(
            bb, l, Arena{bb, l, words}.dtypeIs(EDGE_DTYPE_I8),
            [&](OpBuilder &ib, Location il) { // the scale word, then four int8 a word, element 4w in the low byte
              Arena a{ib, il, words};
              Value word = memref::LoadOp::create(ib, il, words, a.add(a.add(row, a.index(1)), a.div(d, a.index(4))));
              Value lane = arith::IndexCastOp::create(ib, il, ib.getI32Type(), a.rem(d, a.index(4)));
              Value up = arith::SubIOp::create(ib, il, a.i32(24), arith::MulIOp::create(ib, il, lane, a.i32(8)));
              Value byte = arith::ShRSIOp::create(ib, il, arith::ShLIOp::create(ib, il, word, up), a.i32(24));
              Value value = arith::SIToFPOp::create(ib, il, ib.getF32Type(), byte);
              return arith::MulFOp::create(ib, il, a.f32(row), value).getResult();
            },
            [&](OpBuilder &fb, Location fl) { return Arena{fb, fl, words}.f32(Arena{fb, fl, words}.add(row, d)); });
      });
}

void Arena::pack(Value first, Value dim, int64_t lanes, int64_t bits,
                 llvm::function_ref<Value(OpBuilder &, Location, Value)> source,
                 llvm::function_ref<Value(OpBuilder &, Location, Value)> encode) {
  forEach(b, loc, div(dim, index(lanes)), [&](OpBuilder &wb, Location wl, Value w) {
    Arena a{wb, wl, words};
    Value word = a.i32(0);
    for (int64_t k = 0; k < lanes; ++k) {
      Value element = encode(wb, wl, source(wb, wl, a.add(a.mul(w, a.index(lanes)), a.index(k))));
      Value field = arith::AndIOp::create(wb, wl, element, a.i32((int64_t{1} << bits) - 1));
      word = arith::OrIOp::create(wb, wl, word, arith::ShLIOp::create(wb, wl, field, a.i32(k * bits)));
    }
    a.store(word, a.add(first, w));
  });
}

void Arena::storeRow(Value row, Value dim, llvm::function_ref<Value(OpBuilder &, Location, Value)> source) {
  scf::IfOp::create(
      b, loc, dtypeIs(EDGE_DTYPE_F16),
      [&](OpBuilder &bb, Location l) {
        Arena{bb, l, words}.pack(row, dim, 2, 16, source,
                                 [](OpBuilder &eb, Location el, Value x) { return f32ToHalfBits(eb, el, x); });
        scf::YieldOp::create(bb, l);
      },
      [&](OpBuilder &bb, Location l) {
        Arena a{bb, l, words};
        scf::IfOp::create(
            bb, l, a.dtypeIs(EDGE_DTYPE_I8),
            [&](OpBuilder &ib, Location il) {
              // As the CPU kernel: scale max |x| / 127, values x * 127 / max rounded half away from zero.
              Arena r{ib, il, words};
              Value zero = arith::ConstantFloatOp::create(ib, il, ib.getF32Type(), APFloat(0.0f));
              auto amax = scf::ForOp::create(ib, il, r.index(0), dim, r.index(1), ValueRange{zero},
                                             [&](OpBuilder &mb, Location ml, Value d, ValueRange m) {
                                               Value x = math::AbsFOp::create(mb, ml, source(mb, ml, d));
                                               scf::YieldOp::create(mb, ml, ValueRange{arith::MaximumFOp::create(mb, ml, m[0], x)});
                                             });
              Value highest = amax.getResult(0);
              Value f127 = arith::ConstantFloatOp::create(ib, il, ib.getF32Type(), APFloat(127.0f));
              Value scale = arith::DivFOp::create(ib, il, highest, f127);
              Value positive = arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OGT, highest, zero);
              Value inverse = arith::SelectOp::create(ib, il, positive, arith::DivFOp::create(ib, il, f127, highest), zero);
              r.store(arith::BitcastOp::create(ib, il, ib.getI32Type(), scale), row);
              r.pack(r.add(row, r.index(1)), dim, 4, 8, source, [&](OpBuilder &eb, Location el, Value x) {
                Value v = arith::MulFOp::create(eb, el, x, inverse);
                Value negative = arith::CmpFOp::create(eb, el, arith::CmpFPredicate::OLT, v, zero);
                Value half = arith::SelectOp::create(
                    eb, el, negative, arith::ConstantFloatOp::create(eb, el, eb.getF32Type(), APFloat(-0.5f)),
                    arith::ConstantFloatOp::create(eb, el, eb.getF32Type(), APFloat(0.5f)));
                return arith::FPToSIOp::create(eb, el, eb.getI32Type(), arith::AddFOp::create(eb, el, v, half)).getResult();
              });
              scf::YieldOp::create(ib, il);
            },
            [&](OpBuilder &fb, Location fl) {
              forEach(fb, fl, dim, [&](OpBuilder &db, Location dl, Value d) {
                Arena e{db, dl, words};
                e.store(arith::BitcastOp::create(db, dl, db.getI32Type(), source(db, dl, d)), e.add(row, d));
              });
              scf::YieldOp::create(fb, fl);
            });
        scf::YieldOp::create(bb, l);
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
  // tokens of one step see each other): one row, key or value, per iteration (an int8
  // row's scale depends on the whole row).
  parallel(b, loc, {tokens, kvHeads, arith::ConstantIndexOp::create(b, loc, 2)},
           [&](OpBuilder &pb, Location l, ValueRange ivs) {
             Arena a{pb, l, words};
             Value t = ivs[0], g = ivs[1], isValue = ivs[2];
             Value table = a.token(t, 0), position = a.token(t, 1);
             // Plane 2 * layer + isValue: the key row, or the value row.
             Value key = a.row(table, position, layer, 0, g, kvHeads, dim);
             Value value = a.row(table, position, layer, 1, g, kvHeads, dim);
             Value isKey = arith::CmpIOp::create(pb, l, arith::CmpIPredicate::eq, isValue, a.index(0));
             Value row = arith::SelectOp::create(pb, l, isKey, key, value);
             a.storeRow(row, dim, [&](OpBuilder &sb, Location sl, Value d) {
               SmallVector<Value> at{zeroIndex, g, t, d};
               Value fromKey = memref::LoadOp::create(sb, sl, k, at);
               Value fromValue = memref::LoadOp::create(sb, sl, v, at);
               return arith::SelectOp::create(sb, sl, isKey, fromKey, fromValue).getResult();
             });
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
                Value product = arith::MulFOp::create(db, dl, query, e.load(key, d));
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
                                               arith::MulFOp::create(db, dl, weight, e.load(valueRow, d)));
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
