//===- Passes.h - edgec conversion passes ----------------------*- C++ -*-===//
#ifndef EDGE_COMPILER_CONVERSION_PASSES_H
#define EDGE_COMPILER_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace edge {
#define GEN_PASS_DECL
#include "compiler/conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/conversion/Passes.h.inc"
} // namespace edge

#endif // EDGE_COMPILER_CONVERSION_PASSES_H
