//===- Inspect.cpp - `edgec inspect` --------------------------------------===//
#include "tools/edgec/Inspect.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "dialects/edge/IR/EdgeDialect.h"

#include <map>

#include "compiler/import/ImportContext.h"
#include "compiler/import/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace edge {
namespace {

std::string typeName(int32_t onnxType) {
  return llvm::StringRef(::onnx::TensorProto::DataType_Name(static_cast<::onnx::TensorProto::DataType>(onnxType))).lower();
}

std::string describeValue(const ::onnx::ValueInfoProto &value) {
  if (!value.type().has_tensor_type()) return value.name() + " (not a tensor)";
  const auto &tensor = value.type().tensor_type();
  std::string text = value.name() + " " + typeName(tensor.elem_type());
  if (!tensor.has_shape()) return text + " [unknown rank]";
  std::vector<std::string> dims;
  for (const auto &d : tensor.shape().dim())
    dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param().empty() ? "?" : d.dim_param());
  return text + " [" + llvm::join(dims, ", ") + "]";
}

/// "Add 12, MatMul 8, ..." by decreasing count.
void printHistogram(llvm::raw_ostream &out, const std::map<std::string, size_t> &counts,
                    const std::set<std::string> &marked = {}) {
  std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  size_t column = 0;
  for (const auto &[name, count] : sorted) {
    std::string item = name + (marked.count(name) ? "*" : "") + " " + std::to_string(count);
    if (column + item.size() > 88) {
      out << "\n";
      column = 0;
    }
    out << (column ? "  " : "  ") << item;
    column += item.size() + 2;
  }
  out << "\n";
}

} // namespace

llvm::Expected<size_t> inspectModel(llvm::StringRef path, llvm::raw_ostream &out) {
  auto loaded = loadOnnxModel(path);
  if (!loaded) return loaded.takeError();
  const ::onnx::ModelProto &model = **loaded;
  const ::onnx::GraphProto &graph = model.graph();
  out << "model: " << path << " (IR version " << model.ir_version();
  if (!model.producer_name().empty()) out << ", from " << model.producer_name() << " " << model.producer_version();
  out << ")\n";

  std::map<std::string, int64_t> opsets;
  out << "opsets:";
  for (const auto &entry : model.opset_import()) {
    std::string domain = entry.domain().empty() || entry.domain() == "ai.onnx" ? "" : entry.domain();
    opsets[domain] = entry.version();
    out << " " << (domain.empty() ? "ai.onnx" : domain) << " " << entry.version();
  }
  out << "\n";

  std::set<std::string> initializerNames;
  std::map<std::string, std::pair<uint64_t, uint64_t>> parameters; // type → (count, bytes)
  mlir::MLIRContext typeContext; // element sizes come from the importer's type table
  for (const auto &init : graph.initializer()) {
    initializerNames.insert(init.name());
    uint64_t count = 1;
    for (int64_t d : init.dims()) count *= d > 0 ? static_cast<uint64_t>(d) : 0;
    std::optional<ElementKind> kind = getElementKind(&typeContext, init.data_type());
    auto &entry = parameters[typeName(init.data_type())];
    entry.first += count;
    entry.second += count * (kind ? kind->size : 0);
  }
  std::set<std::string> symbols;
  out << "inputs:\n";
  for (const auto &input : graph.input()) {
    if (initializerNames.count(input.name())) continue;
    out << "  " << describeValue(input) << "\n";
    if (input.type().has_tensor_type())
      for (const auto &d : input.type().tensor_type().shape().dim())
        if (!d.has_dim_value() && !d.dim_param().empty()) symbols.insert(d.dim_param());
  }
  out << "outputs:\n";
  for (const auto &output : graph.output()) out << "  " << describeValue(output) << "\n";
  out << "symbolic dims: " << (symbols.empty() ? "none" : llvm::join(symbols, ", ")) << "\n";
  uint64_t totalCount = 0;
  std::vector<std::string> byType;
  for (const auto &[type, entry] : parameters) {
    totalCount += entry.first;
    byType.push_back(llvm::formatv("{0} {1} ({2:F1} KiB)", type, entry.first, entry.second / 1024.0).str());
  }
  out << "parameters: " << totalCount << " in " << graph.initializer_size() << " initializers"
      << (byType.empty() ? "" : ": " + llvm::join(byType, ", ")) << "\n";

  std::map<std::string, size_t> histogram;
  std::set<std::string> unsupportedTypes;
  std::vector<std::string> problems;
  for (const auto &node : graph.node()) {
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    std::string key = domain.empty() ? node.op_type() : domain + "." + node.op_type();
    ++histogram[key];
    auto opset = opsets.find(domain);
    int64_t version = opset == opsets.end() ? 0 : opset->second;
    auto handler = findOpHandler(node, version);
    if (handler) continue;
    unsupportedTypes.insert(key);
    problems.push_back(llvm::formatv("node '{0}' ({1}, domain '{2}', opset {3}): {4}",
                                     node.name().empty() ? "(unnamed)" : node.name(), node.op_type(), node.domain(),
                                     version, llvm::toString(handler.takeError()))
                           .str());
  }
  out << "nodes: " << graph.node_size() << "\n";
  printHistogram(out, histogram, unsupportedTypes);
  if (!problems.empty()) {
    out << "unsupported: " << problems.size() << " node(s) (op types marked * above)\n";
    for (const std::string &p : problems) out << "  " << p << "\n";
    return problems.size();
  }

  // What the importer makes of it: exporter shape arithmetic folded, composites decomposed.
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  std::string firstError;
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error && firstError.empty()) firstError = diag.str();
    return mlir::success();
  });
  auto imported = importOnnxFile(context, path);
  // Past the per-node table the failures are about the whole model: one error each.
  if (!imported) return imported.takeError(); // names the file and the node
  mlir::PassManager cleanup(&context);
  buildImportCleanupPipeline(cleanup);
  if (mlir::failed(cleanup.run(imported->module.get())))
    return llvm::createStringError(path + ": cleanup after import fails" + (firstError.empty() ? "" : ": " + firstError));
  std::map<std::string, size_t> after;
  size_t onnxOps = 0;
  imported->module->walk([&](mlir::Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "onnx") {
      ++after[op->getName().stripDialect().str()];
      ++onnxOps;
    } else if (mlir::isa<QuantizedMatmulOp>(op)) { // pre-quantized weights kept quantized
      ++after[op->getName().getStringRef().str()];
      ++onnxOps;
    }
  });
  out << "after import-time simplification: " << onnxOps << " ops (from " << graph.node_size() << " nodes)\n";
  printHistogram(out, after);

  // What `edgec compile` does with a causal LM by default (--paged-kv auto).
  mlir::PassManager causal(&context);
  buildCausalLMPipeline(causal);
  if (mlir::failed(causal.run(imported->module.get())))
    return llvm::createStringError(path + ": the paged KV cache rewrite fails: " +
                                   (firstError.empty() ? std::string("the paged-attention rewrite failed") : firstError) +
                                   " (--paged-kv off compiles the graph as it is)");
  mlir::FailureOr<ModelInterface> interface = getModelInterface(imported->module.get());
  if (mlir::failed(interface)) return llvm::createStringError(path + ": " + (firstError.empty() ? std::string("no model interface after the rewrite") : firstError));
  if (const CausalLMInterface &lm = interface->causalLM; lm.enabled) {
    std::vector<std::string> inputs;
    for (const TensorInterface &input : interface->inputs) inputs.push_back(input.name);
    out << "causal LM: " << lm.numLayers << " layers, " << lm.numKVHeads << " KV heads of " << lm.headDim
        << ", vocabulary " << lm.vocabSize << "; compiles for the paged KV cache (step inputs: "
        << llvm::join(inputs, ", ") << ")\n";
  }
  return 0;
}

} // namespace edge
