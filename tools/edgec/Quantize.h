//===- Quantize.h - choosing each weight's stored format (--quant) -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_QUANTIZE_H
#define EDGE_TOOLS_EDGEC_QUANTIZE_H

#include <string>
#include <vector>

#include "compiler/import/ImportedWeights.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

struct QuantOptions {
  /// none | q8_0 | q4_0 | q4_1 | mixed (q4_0, with the token embedding, the logits
  /// projection and the quarter of the other matrices q4_0 fits worst at q8_0).
  std::string mode = "none";
  /// "PATTERN=FORMAT": weights whose name matches the glob PATTERN get FORMAT
  /// (f32 | q8_0 | q4_0 | q4_1); later overrides win.
  std::vector<std::string> overrides;
  int64_t block = 32;
  std::string reportPath; ///< --quant-report: a table here and a plot beside it (.svg)
};

/// Decides each weight's stored format and marks its edge.weight ops for
/// edge-quantize-weights. Weights that would be quantized but whose shape does not fit
/// the block size are named on `notes`, one line each.
llvm::Error planQuantization(mlir::ModuleOp module, ImportedInterface &interface, const QuantOptions &options,
                             llvm::raw_ostream &notes);

/// After edge-quantize-weights: the quantized entries take their stored dtype and dims,
/// every weight gets its offset in the new layout, and the edge.weight ops follow.
void layOutQuantizedWeights(mlir::ModuleOp module, ImportedInterface &interface);

/// Writes the per-tensor error table to options.reportPath and its plot to the same path
/// with the extension .svg (after the weights file, which measures the errors).
llvm::Error writeQuantReport(const QuantOptions &options, const ImportedInterface &interface);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_QUANTIZE_H
