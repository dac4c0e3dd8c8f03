//===- HalfFloat.h - f16 <-> f32 with 32-bit integer operations -----------===//
//
// Kernels for GPU targets convert IEEE half floats with integer arithmetic: 16-bit float
// types in shaders are an optional Vulkan feature. Both conversions give exactly what the
// runtime's edge_f16_to_f32 / edge_f32_to_f16 (runtime/include/edge/quantize.h) give, so a
// kernel and the CPU runtime read and write the same halves.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_COMMON_HALFFLOAT_H_
#define EDGE_CODEGEN_COMMON_HALFFLOAT_H_

#include "mlir/IR/Builders.h"

namespace edge {

/// The f32 value of the half whose bits are the low 16 bits of `bits` (i32, upper bits 0).
mlir::Value halfBitsToF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value bits);

/// The bits of `value` (f32) rounded to the nearest half, ties to even (i32, upper bits 0).
mlir::Value f32ToHalfBits(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

} // namespace edge

#endif // EDGE_CODEGEN_COMMON_HALFFLOAT_H_
