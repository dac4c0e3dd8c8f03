//===- Passes.h - edgec transformation passes ------------------*- C++ -*-===//
#ifndef EDGE_COMPILER_TRANSFORMS_PASSES_H
#define EDGE_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "dialects/edge/IR/EdgeDialect.h"

namespace edge {
#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

/// Name of the entry function's argument attribute that marks the weights buffer.
inline constexpr llvm::StringLiteral kWeightsArgAttr = "edge.weights";
/// Name of the argument attribute that marks an output destination of the entry.
inline constexpr llvm::StringLiteral kOutputArgAttr = "edge.output";
/// The entry argument that receives the runtime's attention context, and the function
/// attribute describing a causal LM's KV cache; both set by edge-paged-attention.
inline constexpr llvm::StringLiteral kAttentionContextArgAttr = "edge.attention_context";
inline constexpr llvm::StringLiteral kCausalLMAttr = "edge.causal_lm";
/// Argument and result attribute naming a graph input or output (set by the driver).
inline constexpr llvm::StringLiteral kNameAttr = "edge.name";
/// Module attributes naming the target architecture and CPU.
inline constexpr llvm::StringLiteral kTargetAttr = "edge.target";
inline constexpr llvm::StringLiteral kCpuAttr = "edge.cpu";
} // namespace edge

#endif // EDGE_COMPILER_TRANSFORMS_PASSES_H
