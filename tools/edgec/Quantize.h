//===- Quantize.h - choosing each weight's stored format (--quant) -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_QUANTIZE_H
#define EDGE_TOOLS_EDGEC_QUANTIZE_H

#include <string>
#include <vector>

#include "codegen/artifacts/Artifacts.h"
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

/// The planner's notes on the weights that stay f32 (edge.quant_note), by weight name.
llvm::StringMap<std::string> collectQuantNotes(mlir::ModuleOp module);

/// Writes the per-tensor table of NAME.weights' records (format, stored dims, bytes, the
/// measured error, the note) to options.reportPath and its plot beside it (.svg), after the
/// weights file, which measures the errors.
llvm::Error writeQuantReport(const QuantOptions &options, const std::vector<WeightRecord> &records,
                             const llvm::StringMap<std::string> &notes);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_QUANTIZE_H
