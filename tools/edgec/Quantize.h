//===- Quantize.h - choosing each weight's stored format (--quant) -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_QUANTIZE_H
#define EDGE_TOOLS_EDGEC_QUANTIZE_H

#include <string>
#include <vector>

#include "compiler/import/ImportedWeights.h"
#include "compiler/transforms/PlanQuantization.h"
#include "tools/edgec/CompileOptions.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

/// The q4_0 error of a weight, measured on its source, for --quant mixed.
QuantErrorFn measureQ4Error(const ImportedWeights &weights);

/// edge-plan-quantization's options for the command line's.
PlanQuantizationPassOptions planOptions(const QuantOptions &options);

/// Copies the planner's notes (why a weight stays f32) from the IR into the entries, for
/// the report.
void collectQuantNotes(mlir::ModuleOp module, ImportedWeights &weights);

/// After edge-quantize-weights: the quantized entries take their stored dtype and dims,
/// every weight gets its offset in the new layout, and the edge.weight ops follow.
void layOutQuantizedWeights(mlir::ModuleOp module, ImportedWeights &weights);

/// Writes the per-tensor error table to options.reportPath and its plot to the same path
/// with the extension .svg (after the weights file, which measures the errors).
llvm::Error writeQuantReport(const QuantOptions &options, const ImportedWeights &weights);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_QUANTIZE_H
