//===- Strategy.h - the CPU tile choices, recorded in the IR ---*- C++ -*-===//
//
// edge-cpu-select-strategy records on the module, as `edge.cpu_strategy`, the tiles the
// target's configuration (TargetConfig.h) chose; the passes that tile (edge-pack-weights,
// edge-tile-and-vectorize) read them from there, so what they do is visible in the IR and
// can be set by hand in a test:
//
//   module attributes {edge.cpu_strategy = {mr = 4 : i64, nr = 16 : i64, kc = 1 : i64,
//       row_nr = 64 : i64, vector_lanes_f32 = 4 : i64, max_whole_inner_dim = 256 : i64}}
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_CPU_STRATEGY_H
#define EDGE_CODEGEN_CPU_STRATEGY_H

#include <cstdint>
#include <optional>

#include "codegen/cpu/TargetConfig.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace edge {

inline constexpr llvm::StringLiteral kCpuStrategyAttr = "edge.cpu_strategy";

struct CpuStrategy {
  int64_t mr = 4, nr = 16, kc = 1; ///< contraction tile: mr x nr accumulators, K by kc
  int64_t rowNr = 64;              ///< N tile of single rows (decode-like GEMV)
  int64_t vectorLanesF32 = 4;      ///< f32 lanes of one vector register
  int64_t maxWholeInnerDim = 256;  ///< innermost dims up to this size vectorized whole
};

/// The strategy a target configuration implies.
CpuStrategy strategyFor(const CpuTargetConfig &config);

mlir::DictionaryAttr encodeCpuStrategy(mlir::MLIRContext *context, const CpuStrategy &strategy);

/// The strategy recorded on `op`'s module; emits an error on the module (naming the
/// pass that records it) and returns nullopt when there is none or it is malformed.
std::optional<CpuStrategy> getCpuStrategy(mlir::Operation *op);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_STRATEGY_H
