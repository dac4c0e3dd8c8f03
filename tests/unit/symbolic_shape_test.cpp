// The importer's symbolic shapes: what it can prove about dynamic dims, and what it refuses.
#include <gtest/gtest.h>

#include "compiler/import/SymbolicShape.h"

namespace {

using edge::SymDim;
using edge::SymShape;
const std::vector<std::string> kSymbols = {"batch", "seq"};

TEST(SymbolicShapeTest, BroadcastKeepsSymbols) {
  SymShape a = {SymDim::named(0), SymDim::named(1), SymDim::fixed(64)};
  SymShape b = {SymDim::fixed(64)};
  auto result = edge::broadcastShapes(a, b, kSymbols);
  ASSERT_TRUE(static_cast<bool>(result));
  EXPECT_EQ(edge::describe(*result, kSymbols), "[batch, seq, 64]");
}

TEST(SymbolicShapeTest, BroadcastRefusesUnprovableDims) {
  SymShape a = {SymDim::named(0)}, b = {SymDim::named(1)}, c = {SymDim::fixed(5)};
  auto result = edge::broadcastShapes(a, b, kSymbols);
  ASSERT_FALSE(static_cast<bool>(result));
  EXPECT_EQ(llvm::toString(result.takeError()), "shapes [batch] and [seq] do not broadcast (dim batch vs seq)");
  auto mixed = edge::broadcastShapes(a, c, kSymbols);
  EXPECT_FALSE(static_cast<bool>(mixed));
  llvm::consumeError(mixed.takeError());
}

TEST(SymbolicShapeTest, ReshapeInfersFromTheOneRemainingSymbol) {
  SymShape in = {SymDim::fixed(1), SymDim::named(1), SymDim::fixed(64)};
  auto split = edge::reshapeShape(in, {0, 0, 4, -1}, false);
  ASSERT_TRUE(static_cast<bool>(split));
  EXPECT_EQ(edge::describe(*split, kSymbols), "[1, seq, 4, 16]");
  auto merged = edge::reshapeShape(in, {-1, 64}, false);
  ASSERT_TRUE(static_cast<bool>(merged));
  EXPECT_EQ(edge::describe(*merged, kSymbols), "[seq, 64]");
  auto product = edge::reshapeShape({SymDim::named(0), SymDim::named(1)}, {-1}, false);
  ASSERT_TRUE(static_cast<bool>(product));
  EXPECT_EQ(edge::describe(*product, kSymbols), "[?]");
}

TEST(SymbolicShapeTest, ReshapeChecksStaticCounts) {
  auto bad = edge::reshapeShape({SymDim::fixed(6)}, {4, -1}, false);
  ASSERT_FALSE(static_cast<bool>(bad));
  llvm::consumeError(bad.takeError());
  auto zero = edge::reshapeShape({SymDim::fixed(6)}, std::vector<int64_t>{0, 6}, true);
  ASSERT_FALSE(static_cast<bool>(zero)); // allowzero: 0 is a real 0
  llvm::consumeError(zero.takeError());
}

// A static target shape fixes the input's one dynamic dim: [batch, 5] into [5, 7] works
// for batch = 7 only (recorded for the runtime to check), [batch, 3] for no batch at all.
TEST(SymbolicShapeTest, ReshapeToAStaticShapeFixesTheDynamicDim) {
  std::vector<edge::DimEquality> equalities;
  auto fixed = edge::reshapeShape({SymDim::named(0), SymDim::fixed(5)}, std::vector<int64_t>{5, 7}, false, &equalities);
  ASSERT_TRUE(static_cast<bool>(fixed));
  EXPECT_EQ(edge::describe(*fixed, kSymbols), "[5, 7]");
  ASSERT_EQ(equalities.size(), 1u);
  EXPECT_EQ(equalities[0].first, 0);
  EXPECT_EQ(equalities[0].second.value, 7);
  auto none = edge::reshapeShape({SymDim::named(0), SymDim::fixed(3)}, std::vector<int64_t>{5, 7}, false, &equalities);
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(llvm::toString(none.takeError()), "cannot reshape the input (3 elements times its dynamic dim) into 35 "
                                              "elements for any size of that dim");
  EXPECT_EQ(equalities.size(), 1u);
}

// Element counts past 64 bits are an error, not an overflow (a fuzzed Reshape to
// [2^62 - 47, 8]).
TEST(SymbolicShapeTest, ReshapeRefusesCountsPast64Bits) {
  auto target = edge::reshapeShape({SymDim::fixed(6)}, std::vector<int64_t>{4611686018427387857, 8}, false);
  ASSERT_FALSE(static_cast<bool>(target));
  EXPECT_EQ(llvm::toString(target.takeError()), "the element count does not fit in 64 bits");
  auto input = edge::reshapeShape({SymDim::fixed(INT64_MAX), SymDim::fixed(2)}, std::vector<int64_t>{-1}, false);
  ASSERT_FALSE(static_cast<bool>(input));
  llvm::consumeError(input.takeError());
}

// The same for symbolic dims: a coefficient or constant that would overflow makes the dim
// unknown, and so does dividing INT64_MIN * seq by -1.
TEST(SymbolicShapeTest, SymbolicFoldingAvoidsUndefinedArithmetic) {
  using edge::IntOp;
  const SymDim seq = SymDim::named(1);
  SymDim huge = edge::foldIntOp(IntOp::Mul, seq, SymDim::fixed(INT64_MAX));
  ASSERT_TRUE(huge.isKnown());
  EXPECT_FALSE(edge::foldIntOp(IntOp::Mul, huge, SymDim::fixed(2)).isKnown());
  SymDim big = edge::foldIntOp(IntOp::Mul, seq, SymDim::fixed(INT64_MIN));
  ASSERT_TRUE(big.isKnown());
  EXPECT_FALSE(edge::foldIntOp(IntOp::Div, big, SymDim::fixed(-1)).isKnown());
  EXPECT_FALSE(edge::foldIntOp(IntOp::Sub, SymDim::fixed(0), big).isKnown());
  EXPECT_FALSE(edge::foldIntOp(IntOp::Add, big, big).isKnown());
  SymDim shifted = edge::foldIntOp(IntOp::Add, seq, SymDim::fixed(INT64_MAX));
  EXPECT_FALSE(edge::foldIntOp(IntOp::Add, shifted, SymDim::fixed(1)).isKnown());
  EXPECT_EQ(edge::describe(edge::foldIntOp(IntOp::Div, edge::foldIntOp(IntOp::Mul, seq, SymDim::fixed(6)),
                                           SymDim::fixed(-1)), kSymbols),
            edge::describe(edge::foldIntOp(IntOp::Mul, seq, SymDim::fixed(-6)), kSymbols));
}

// Folding constants never executes undefined integer arithmetic: overflowing sums and
// products, division by zero and INT64_MIN / -1 give an unknown (the op stays), and the
// floor modulus is right where the textbook ((x % y) + y) % y would overflow.
TEST(SymbolicShapeTest, FoldingAvoidsUndefinedArithmetic) {
  using edge::IntOp;
  using edge::SymDim;
  const int64_t kMin = INT64_MIN, kMax = INT64_MAX;
  auto fold = [](IntOp op, int64_t x, int64_t y) { return edge::foldIntOp(op, SymDim::fixed(x), SymDim::fixed(y)); };
  EXPECT_FALSE(fold(IntOp::Div, kMin, -1).isKnown());
  EXPECT_FALSE(fold(IntOp::Mod, kMin, -1).isKnown());
  EXPECT_FALSE(fold(IntOp::Div, 7, 0).isKnown());
  EXPECT_FALSE(fold(IntOp::Mod, 7, 0).isKnown());
  EXPECT_FALSE(fold(IntOp::Mul, kMax, 2).isKnown());
  EXPECT_FALSE(fold(IntOp::Add, kMax, 1).isKnown());
  EXPECT_FALSE(fold(IntOp::Sub, kMin, 1).isKnown());
  EXPECT_EQ(fold(IntOp::Mod, kMax - 1, kMax).value, kMax - 1);
  EXPECT_EQ(fold(IntOp::Mod, -5, kMax).value, kMax - 5);
  EXPECT_EQ(fold(IntOp::Mod, -7, 3).value, 2); // floor, as numpy
  EXPECT_EQ(fold(IntOp::Div, -7, 2).value, -4);
  EXPECT_EQ(fold(IntOp::Div, kMin, 1).value, kMin);
}

} // namespace
