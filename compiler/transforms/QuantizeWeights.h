//===- QuantizeWeights.h - which weights edge-quantize-weights can store quantized -*- C++ -*-===//
#ifndef EDGE_COMPILER_TRANSFORMS_QUANTIZEWEIGHTS_H
#define EDGE_COMPILER_TRANSFORMS_QUANTIZEWEIGHTS_H

#include <string>

#include "dialects/edge/IR/EdgeDialect.h"

namespace edge {

/// How an f32 2-D weight is read by every op that uses it, if all of them are ops
/// edge-quantize-weights rewrites: MatMul's right operand ([K, N]), Gemm's B (alpha 1, no
/// transA, beta 1) and Gather along axis 0 of a table by int64 indices ([N, K] rows).
struct QuantCandidate {
  bool ok = false;
  std::string whyNot;     ///< when !ok: what keeps it f32
  int64_t rows = 0, k = 0; ///< N rows of K values, K being the quantized (reduction) dim
  bool fromKN = false;    ///< the ONNX tensor is [K, N] (MatMul, Gemm without transB)
  bool embedding = false; ///< read by Gather: rows are looked up, not multiplied
  mlir::Value gatherIndices; ///< for an embedding, the indices of (one of) its Gathers
};

QuantCandidate analyzeQuantCandidate(WeightOp weight);

} // namespace edge

#endif // EDGE_COMPILER_TRANSFORMS_QUANTIZEWEIGHTS_H
