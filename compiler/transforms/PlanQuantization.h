//===- PlanQuantization.h - edge-plan-quantization with its error measure -*- C++ -*-===//
#ifndef EDGE_COMPILER_TRANSFORMS_PLANQUANTIZATION_H
#define EDGE_COMPILER_TRANSFORMS_PLANQUANTIZATION_H

#include <functional>
#include <memory>

#include "compiler/transforms/Passes.h"

namespace edge {

/// On each weight a note (why it stays f32) is recorded for --quant-report.
inline constexpr llvm::StringLiteral kQuantNoteAttr = "edge.quant_note";

/// The relative RMS error q4_0 blocks of `block` give a weight (N = rows rows of k values;
/// [K, N] in the model when fromKN); mixed ranks the weights by it. The weights' bytes are
/// not in the IR, so the driver measures: a failure has been reported on the op.
using QuantErrorFn =
    std::function<mlir::FailureOr<double>(WeightOp weight, int64_t rows, int64_t k, bool fromKN, int64_t block)>;

/// edge-plan-quantization with an error measure for --quant mixed (without one, as in
/// edge-opt, mixed leaves every unpinned matrix at q4_0).
std::unique_ptr<mlir::Pass> createPlanQuantizationPass(const PlanQuantizationPassOptions &options,
                                                       QuantErrorFn q4Error);

} // namespace edge

#endif // EDGE_COMPILER_TRANSFORMS_PLANQUANTIZATION_H
