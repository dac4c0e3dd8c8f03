//===- HalfFloat.cpp - f16 <-> f32 with 32-bit integer operations ---------===//
#include "codegen/common/HalfFloat.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace edge {
namespace {

/// 32-bit integer arithmetic at one insertion point.
struct Bits {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); }
  Value andI(Value x, int64_t m) { return arith::AndIOp::create(b, loc, x, c(m)); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shl(Value x, Value s) { return arith::ShLIOp::create(b, loc, x, s); }
  Value shr(Value x, Value s) { return arith::ShRUIOp::create(b, loc, x, s); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) { return arith::CmpIOp::create(b, loc, p, x, y); }
  Value select(Value condition, Value x, Value y) { return arith::SelectOp::create(b, loc, condition, x, y); }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }

  /// x + 1 where `remainder` is past `halfway`, or at it with x odd (round to even).
  Value roundUp(Value x, Value remainder, Value halfway) {
    Value above = cmp(arith::CmpIPredicate::ugt, remainder, halfway);
    Value tie = both(cmp(arith::CmpIPredicate::eq, remainder, halfway), cmp(arith::CmpIPredicate::ne, andI(x, 1), c(0)));
    return add(x, arith::ExtUIOp::create(b, loc, b.getI32Type(), either(above, tie)));
  }
};

} // namespace

Value halfBitsToF32(OpBuilder &b, Location loc, Value bits) {
  Bits i{b, loc};
  Value sign = i.andI(i.shr(bits, i.c(15)), 1);
  Value exponent = i.andI(i.shr(bits, i.c(10)), 31);
  Value mantissa = i.andI(bits, 1023);
  Value signBit = i.shl(sign, i.c(31)), fraction = i.shl(mantissa, i.c(13));
  // Normal numbers: rebias the exponent (15 -> 127); infinities and NaNs: all ones.
  Value isSpecial = i.cmp(arith::CmpIPredicate::eq, exponent, i.c(31));
  Value wideExponent = i.select(isSpecial, i.c(255), i.add(exponent, i.c(112)));
  Value wide = i.orI(signBit, i.orI(i.shl(wideExponent, i.c(23)), fraction));
  Value normal = arith::BitcastOp::create(b, loc, b.getF32Type(), wide);
  // Zero and subnormals: mantissa * 2^-24, signed.
  Value f32 = arith::UIToFPOp::create(b, loc, b.getF32Type(), mantissa);
  Value magnitude = arith::MulFOp::create(
      b, loc, f32, arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(1.0f / 16777216.0f)));
  Value negative = i.cmp(arith::CmpIPredicate::ne, sign, i.c(0));
  Value small = i.select(negative, arith::NegFOp::create(b, loc, magnitude), magnitude);
  return i.select(i.cmp(arith::CmpIPredicate::eq, exponent, i.c(0)), small, normal);
}

Value f32ToHalfBits(OpBuilder &b, Location loc, Value value) {
  Bits i{b, loc};
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), value);
  Value sign = i.andI(i.shr(bits, i.c(16)), 0x8000);
  Value magnitude = i.andI(bits, 0x7fffffff);
  Value exponent = i.shr(magnitude, i.c(23));
  // Infinity, NaN (quiet), and finite values that round past the largest half.
  Value nan = i.cmp(arith::CmpIPredicate::ugt, magnitude, i.c(0x7f800000));
  Value special = i.select(nan, i.c(0x7e00), i.c(0x7c00));
  Value tooLarge = i.cmp(arith::CmpIPredicate::uge, magnitude, i.c(0x477ff000));
  // Normal halves: rebias (127 -> 15), keep 10 mantissa bits, round the 13 dropped.
  Value half = i.orI(i.shl(i.sub(exponent, i.c(112)), i.c(10)), i.shr(i.andI(magnitude, 0x7fffff), i.c(13)));
  Value normal = i.roundUp(half, i.andI(magnitude, 0x1fff), i.c(0x1000));
  // Subnormal halves, in units of 2^-24: the significand (with its hidden bit; f32
  // subnormals have none and the exponent of 1) shifted right by 126 - exponent. Shifts
  // past 25 lose everything below half a unit, as 25 does, so the shift stops there.
  Value hasHidden = i.cmp(arith::CmpIPredicate::ne, exponent, i.c(0));
  Value significand = i.orI(i.andI(magnitude, 0x7fffff), i.select(hasHidden, i.c(0x800000), i.c(0)));
  Value effective = arith::MaxUIOp::create(b, loc, exponent, i.c(1));
  Value shift = arith::MinUIOp::create(b, loc, i.sub(i.c(126), effective), i.c(25));
  Value units = i.shr(significand, shift);
  Value remainder = arith::AndIOp::create(b, loc, significand, i.sub(i.shl(i.c(1), shift), i.c(1)));
  Value subnormal = i.roundUp(units, remainder, i.shl(i.c(1), i.sub(shift, i.c(1))));
  Value isSubnormal = i.cmp(arith::CmpIPredicate::ult, magnitude, i.c(0x38800000));
  Value finite = i.select(tooLarge, i.c(0x7c00), i.select(isSubnormal, subnormal, normal));
  Value isSpecial = i.cmp(arith::CmpIPredicate::uge, magnitude, i.c(0x7f800000));
  return i.orI(sign, i.select(isSpecial, special, finite));
}

} // namespace edge
