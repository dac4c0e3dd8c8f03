//===- Quantize.cpp - choosing each weight's stored format (--quant) ------===//
#include "tools/edgec/Quantize.h"

#include "codegen/artifacts/Artifacts.h"

#include <algorithm>
#include <cmath>

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/QuantizeWeights.h"
#include "edge/quantize.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace edge {
QuantErrorFn measureQ4Error(const ImportedWeights &weights) {
  return [&weights](WeightOp op, int64_t rows, int64_t k, bool fromKN, int64_t block) -> mlir::FailureOr<double> {
    for (const WeightEntry &entry : weights.entries) {
      if (entry.name != op.getName()) continue;
      auto bytes = readTensorData(entry.source);
      if (!bytes) return op.emitError() << llvm::toString(bytes.takeError()), mlir::failure();
      auto error = quantizeMatrix(*bytes, rows, k, fromKN, EDGE_DTYPE_Q4_0, block, [](llvm::ArrayRef<uint8_t>) {});
      if (!error) return op.emitError() << "weight '" << entry.name << "': " << llvm::toString(error.takeError()), mlir::failure();
      return error->relRmse;
    }
    return op.emitError() << "weight '" << op.getName() << "' has no source", mlir::failure();
  };
}

PlanQuantizationPassOptions planOptions(const QuantOptions &options) {
  PlanQuantizationPassOptions plan;
  plan.mode = quantModeName(options.mode).str();
  for (const QuantOverride &override : options.overrides) plan.overrides.push_back(override.pattern + "=" + override.format);
  plan.block = options.block;
  return plan;
}

llvm::StringMap<std::string> collectQuantNotes(mlir::ModuleOp module) {
  llvm::StringMap<std::string> notes;
  module.walk([&](WeightOp op) {
    if (auto note = op->getAttrOfType<mlir::StringAttr>(kQuantNoteAttr)) notes[op.getName()] = note.str();
  });
  return notes;
}

llvm::Error writeQuantReport(const QuantOptions &options, const std::vector<WeightRecord> &records,
                             const llvm::StringMap<std::string> &notes) {
  if (options.reportPath.empty()) return llvm::Error::success();
  auto formatOf = [](const WeightRecord &record) -> std::string {
    return record.quantDtype ? edge_dtype_name(record.quantDtype) : "f32"; // q4_0x4: rows interleaved by four
  };
  std::error_code ec;
  llvm::raw_fd_ostream table(options.reportPath, ec);
  if (ec) return llvm::createStringError(options.reportPath + ": cannot write: " + ec.message());
  table << "# weight\tformat\tstored_dims\tbytes\trel_rmse\tmax_abs_error\tnote\n";
  uint64_t total = 0, f32Total = 0;
  std::vector<const WeightRecord *> plotted;
  for (const WeightRecord &entry : records) {
    std::string dims;
    for (int64_t d : entry.dims) dims += (dims.empty() ? "" : "x") + std::to_string(d);
    table << entry.name << "\t" << formatOf(entry) << "\t" << dims << "\t" << entry.storedBytes() << "\t"
          << llvm::format("%.6g", entry.measured.relRmse) << "\t" << llvm::format("%.6g", entry.measured.maxAbs) << "\t"
          << notes.lookup(entry.name) << "\n";
    total += entry.storedBytes();
    f32Total += entry.quantDtype ? entry.dims[0] * entry.dims[1] * entry.dims[2] * 4 : entry.sourceBytes;
    if (entry.quantDtype) plotted.push_back(&entry);
  }
  table << "# total " << total << " bytes; " << f32Total << " as f32 (ratio "
        << llvm::format("%.4f", f32Total ? double(total) / f32Total : 1.0) << ")\n";
  if (table.has_error()) return llvm::createStringError(options.reportPath + ": write failed");

  // The plot: one horizontal bar per quantized tensor, its relative RMSE, colored by format.
  llvm::SmallString<256> svgPath(options.reportPath);
  llvm::sys::path::replace_extension(svgPath, "svg");
  llvm::raw_fd_ostream svg(svgPath, ec);
  if (ec) return llvm::createStringError(svgPath + ": cannot write: " + ec.message());
  double worst = 1e-9;
  for (const WeightRecord *entry : plotted) worst = std::max(worst, entry->measured.relRmse);
  const int rowHeight = 16, left = 320, width = 420, top = 40;
  int height = top + rowHeight * static_cast<int>(plotted.size()) + 40;
  auto color = [](uint32_t stored) {
    const uint32_t dtype = edge_weights_base_dtype(stored);
    return dtype == EDGE_DTYPE_Q8_0 ? "#3b7dd8" : dtype == EDGE_DTYPE_Q4_0 ? "#e07b24" : "#4a9a4a";
  };
  auto escape = [](llvm::StringRef text) {
    std::string out;
    for (char c : text) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
    return out;
  };
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + width + 90 << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"10\" y=\"18\" font-size=\"14\">Relative RMSE of each quantized weight "
         "(||dequant(q(w)) - w|| / ||w||)</text>\n"
      << "<text x=\"10\" y=\"32\"><tspan fill=\"#3b7dd8\">q8_0</tspan>  <tspan fill=\"#e07b24\">q4_0</tspan>  "
         "<tspan fill=\"#4a9a4a\">q4_1</tspan>; axis 0 to "
      << llvm::format("%.4g", worst) << "</text>\n";
  for (auto [i, entry] : llvm::enumerate(plotted)) {
    int y = top + static_cast<int>(i) * rowHeight;
    double length = width * entry->measured.relRmse / worst;
    svg << "<text x=\"" << left - 6 << "\" y=\"" << y + 11 << "\" text-anchor=\"end\">" << escape(entry->name)
        << "</text>\n<rect x=\"" << left << "\" y=\"" << y + 2 << "\" width=\"" << llvm::format("%.1f", length)
        << "\" height=\"" << rowHeight - 4 << "\" fill=\"" << color(entry->quantDtype) << "\"/>\n<text x=\""
        << llvm::format("%.1f", left + length + 4) << "\" y=\"" << y + 11 << "\">"
        << llvm::format("%.4f", entry->measured.relRmse) << "</text>\n";
  }
  svg << "</svg>\n";
  if (svg.has_error()) return llvm::createStringError(svgPath + ": write failed");
  return llvm::Error::success();
}

} // namespace edge
