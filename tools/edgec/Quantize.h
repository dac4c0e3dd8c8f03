//===- Quantize.h - choosing each weight's stored format (--quant) -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_QUANTIZE_H
#define EDGE_TOOLS_EDGEC_QUANTIZE_H

#include <string>
#include <vector>

#include "compiler/import/ImportedWeights.h"
#include "tools/edgec/CompileOptions.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

/// Decides each weight's stored format and marks its edge.weight ops for
/// edge-quantize-weights. Weights that would be quantized but whose shape does not fit
/// the block size are named on `notes`, one line each.
llvm::Error planQuantization(mlir::ModuleOp module, ImportedWeights &weights, const QuantOptions &options,
                             llvm::raw_ostream &notes);

/// After edge-quantize-weights: the quantized entries take their stored dtype and dims,
/// every weight gets its offset in the new layout, and the edge.weight ops follow.
void layOutQuantizedWeights(mlir::ModuleOp module, ImportedWeights &weights);

/// Writes the per-tensor error table to options.reportPath and its plot to the same path
/// with the extension .svg (after the weights file, which measures the errors).
llvm::Error writeQuantReport(const QuantOptions &options, const ImportedWeights &weights);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_QUANTIZE_H
