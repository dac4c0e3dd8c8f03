//===- EdgeAttributes.h - names of the edge.* attributes passes exchange -*- C++ -*-===//
//
// Discardable attributes that passes of different layers (compiler/transforms and the
// codegen targets) read and write on the entry function and the module. They are part of
// the IR contract, so they live with the dialect.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_DIALECTS_EDGE_IR_EDGEATTRIBUTES_H
#define EDGE_DIALECTS_EDGE_IR_EDGEATTRIBUTES_H

#include "llvm/ADT/StringRef.h"

namespace edge {

/// Name of the entry function's argument attribute that marks the weights buffer.
inline constexpr llvm::StringLiteral kWeightsArgAttr = "edge.weights";
/// Name of the argument attribute that marks an output destination of the entry.
inline constexpr llvm::StringLiteral kOutputArgAttr = "edge.output";
/// The entry argument that receives the runtime's attention context, and the function
/// attribute describing a causal LM's KV cache; both set by edge-paged-attention.
inline constexpr llvm::StringLiteral kAttentionContextArgAttr = "edge.attention_context";
inline constexpr llvm::StringLiteral kCausalLMAttr = "edge.causal_lm";
/// Argument and result attribute naming a graph input or output.
inline constexpr llvm::StringLiteral kNameAttr = "edge.name";
/// Module attributes naming the target architecture and CPU.
inline constexpr llvm::StringLiteral kTargetAttr = "edge.target";
inline constexpr llvm::StringLiteral kCpuAttr = "edge.cpu";
/// On a module for the CPU: how many weight rows the target's quantized-matmul ukernels
/// read at once from interleaved weights (4: the _x4 formats; absent: plain rows).
inline constexpr llvm::StringLiteral kUkernelRowGroupAttr = "edge.ukernel_row_group";
/// Module attribute: bytes of NAME.weights' data section (set by edge-lay-out-weights).
inline constexpr llvm::StringLiteral kWeightsSizeAttr = "edge.weights_size";

} // namespace edge

#endif // EDGE_DIALECTS_EDGE_IR_EDGEATTRIBUTES_H
