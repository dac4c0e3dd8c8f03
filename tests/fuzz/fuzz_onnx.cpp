// ONNX models from arbitrary bytes: the importer (protobuf, graph references, every op
// handler, initializers inline and as external data in a file beside the model) must
// refuse what is malformed with an error and, when it accepts a model, produce a module
// that verifies and weights whose every byte can be streamed. Then `edgec inspect` runs on
// the same file (it imports again, folds the exporter's shape arithmetic and tries the
// paged-KV rewrite), and the quantization plan that `--quant mixed` and `--quant-report`
// are made from (every matrix's q4_0 error measured over its data). The model lives in a
// folder of its own with weights.bin, the 4 KiB external data file the seeds
// (gen_onnx_seeds.py) point into.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "compiler/import/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "tools/edgec/CompileOptions.h"
#include "tools/edgec/Inspect.h"
#include "tools/edgec/Quantize.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace {

std::string modelPath;

// weights.bin: float i / 64 at index i, what the seeds' external tensors were written from.
void writeExternalData(const std::string &folder) {
  FILE *file = std::fopen((folder + "/weights.bin").c_str(), "wb");
  if (!file) std::abort();
  for (int i = 0; i < 1024; ++i) {
    float value = i / 64.0f;
    std::fwrite(&value, sizeof(value), 1, file);
  }
  if (std::fclose(file) != 0) std::abort();
}

void writeModel(const uint8_t *data, size_t size) {
  FILE *file = std::fopen(modelPath.c_str(), "wb");
  if (!file || (size && std::fwrite(data, 1, size, file) != size) || std::fclose(file) != 0) std::abort();
}

// What `edgec compile --quant mixed --quant-report` plans from: the cleaned-up import,
// each matrix's q4_0 error over its bytes, the format chosen and why.
void planQuantization() {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  auto imported = edge::importOnnxFile(context, modelPath);
  if (!imported) return llvm::consumeError(imported.takeError());
  mlir::PassManager pm(&context);
  edge::buildImportCleanupPipeline(pm);
  edge::QuantOptions options;
  options.mode = edge::QuantMode::Mixed;
  edge::buildQuantizationPlanPipeline(pm, edge::planOptions(options), edge::measureQ4Error(imported->weights));
  if (mlir::succeeded(pm.run(imported->module.get()))) (void)edge::collectQuantNotes(imported->module.get());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  char folder[] = "/tmp/edge-fuzz-onnx-XXXXXX";
  if (!mkdtemp(folder)) std::abort();
  writeExternalData(folder);
  modelPath = std::string(folder) + "/model.onnx";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  writeModel(data, size);
  {
    mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
    mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
    auto imported = edge::importOnnxFile(context, modelPath);
    if (!imported) {
      llvm::consumeError(imported.takeError());
    } else {
      if (mlir::failed(mlir::verify(imported->module.get()))) {
        std::fprintf(stderr, "the importer accepted the model but built a module that does not verify\n");
        std::abort();
      }
      volatile uint8_t sink = 0;
      for (const edge::WeightEntry &entry : imported->weights.entries) {
        double relRmse = 0, maxAbs = 0;
        llvm::Error error = edge::streamWeightSource(
            entry, [&](llvm::ArrayRef<uint8_t> bytes) { for (uint8_t b : bytes) sink ^= b; }, &relRmse, &maxAbs);
        llvm::consumeError(std::move(error));
      }
      (void)sink;
    }
  }
  auto inspected = edge::inspectModel(modelPath, llvm::nulls());
  if (!inspected) llvm::consumeError(inspected.takeError());
  planQuantization();
  return 0;
}
