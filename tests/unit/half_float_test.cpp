// The kernels' f16 <-> f32 conversions (codegen/common/HalfFloat.h, 32-bit integer
// operations) against the runtime's (runtime/include/edge/quantize.h): the ops are built on
// constant inputs and folded, so the folded constant is what a kernel computes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "codegen/common/HalfFloat.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "edge/quantize.h"

namespace {

class HalfFloatTest : public ::testing::Test {
protected:
  void SetUp() override { context.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect>(); }

  // Builds convert(constant) for every input in one function, folds it, and returns the
  // constants the function then returns.
  template <typename Build>
  std::vector<mlir::Attribute> fold(size_t count, Build build) {
    mlir::OpBuilder b(&context);
    mlir::Location loc = b.getUnknownLoc();
    auto module = mlir::ModuleOp::create(loc);
    b.setInsertionPointToEnd(module.getBody());
    auto func = mlir::func::FuncOp::create(b, loc, "f", b.getFunctionType({}, {}));
    b.setInsertionPointToEnd(func.addEntryBlock());
    std::vector<mlir::Value> results;
    for (size_t i = 0; i < count; ++i) results.push_back(build(b, loc, i));
    auto ret = mlir::func::ReturnOp::create(b, loc, results);
    func.setFunctionType(b.getFunctionType({}, ret.getOperandTypes()));
    EXPECT_TRUE(mlir::succeeded(mlir::applyPatternsGreedily(module.getOperation(), mlir::FrozenRewritePatternSet())));
    std::vector<mlir::Attribute> folded;
    for (mlir::Value v : func.front().getTerminator()->getOperands()) {
      auto constant = v.getDefiningOp<mlir::arith::ConstantOp>();
      folded.push_back(constant ? constant.getValue() : mlir::Attribute());
    }
    module.erase();
    return folded;
  }

  mlir::MLIRContext context;
};

// Boundaries of every case (zero, subnormal halves and their rounding, the smallest normal,
// ties, the largest finite, overflow, infinities, NaN) and random bit patterns.
std::vector<float> samples() {
  std::vector<uint32_t> bits = {0x00000000, 0x80000000, 0x00000001, 0x33000000, 0x33000001, 0x337fffff, 0x33800000,
                                0x33c00000, 0x34000000, 0x387fc000, 0x387fe000, 0x387fffff, 0x38800000, 0x38801000,
                                0x38802000, 0x38803000, 0x3f800000, 0x3f801000, 0x3f803000, 0x3f7ff000, 0x477fe000,
                                0x477fefff, 0x477ff000, 0x47800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
                                0x7f800001, 0xffc12345};
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) bits.push_back(random());
  for (int i = 0; i < 1000; ++i) bits.push_back(0x33000000 + random() % 0x06000000); // around the subnormal halves
  std::vector<float> values(bits.size());
  std::memcpy(values.data(), bits.data(), bits.size() * sizeof(float));
  return values;
}

TEST_F(HalfFloatTest, F32ToHalfRoundsAsTheRuntime) {
  std::vector<float> values = samples();
  auto folded = fold(values.size(), [&](mlir::OpBuilder &b, mlir::Location loc, size_t i) {
    auto x = mlir::arith::ConstantOp::create(b, loc, b.getF32FloatAttr(values[i]));
    return edge::f32ToHalfBits(b, loc, x);
  });
  for (size_t i = 0; i < values.size(); ++i) {
    auto integer = mlir::dyn_cast_or_null<mlir::IntegerAttr>(folded[i]);
    ASSERT_TRUE(integer) << "not folded: " << values[i];
    uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    EXPECT_EQ(integer.getValue().getZExtValue(), edge_f32_to_f16(values[i])) << std::hex << "f32 bits 0x" << bits;
  }
}

// Every exponent and sign with the mantissas at both ends and the middle, and every 23rd
// half (folding all 65536 takes minutes).
TEST_F(HalfFloatTest, HalfToF32IsExact) {
  std::vector<uint32_t> halves;
  for (uint32_t h = 0; h < (1u << 16); ++h) {
    uint32_t mantissa = h & 1023;
    if (mantissa < 3 || mantissa > 1020 || mantissa == 512 || h % 23 == 0) halves.push_back(h);
  }
  auto folded = fold(halves.size(), [&](mlir::OpBuilder &b, mlir::Location loc, size_t i) {
    auto h = mlir::arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(static_cast<int32_t>(halves[i])));
    return edge::halfBitsToF32(b, loc, h);
  });
  for (size_t i = 0; i < halves.size(); ++i) {
    uint32_t h = halves[i];
    auto value = mlir::dyn_cast_or_null<mlir::FloatAttr>(folded[i]);
    ASSERT_TRUE(value) << "not folded: half 0x" << std::hex << h;
    float got = value.getValue().convertToFloat(), want = edge_f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << std::hex << h;
      continue;
    }
    uint32_t a, c;
    std::memcpy(&a, &got, sizeof a);
    std::memcpy(&c, &want, sizeof c);
    EXPECT_EQ(a, c) << "half 0x" << std::hex << h;
  }
}

} // namespace
