//===- Compile.h - one `edgec compile` -------------------------*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_COMPILE_H
#define EDGE_TOOLS_EDGEC_COMPILE_H

#include <string>

#include "tools/edgec/Quantize.h"
#include <vector>

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

struct CompileOptions {
  std::string input;     ///< model.onnx
  std::string outputDir; ///< where libNAME.a, NAME.h, NAME.weights (and libNAME.so) go
  std::string target = "host"; ///< host | aarch64-linux-gnu | x86_64-linux-gnu | vulkan
  /// --target vulkan: what the host code (which records the dispatches) compiles for:
  /// host | aarch64-linux-gnu | x86_64-linux-gnu.
  std::string hostTriple = "host";
  std::string cpu;             ///< LLVM CPU name, "native", or empty for the baseline
  std::string name;            ///< C identifier; defaults to the input's stem
  /// Print one stage to `out` instead of writing artifacts:
  /// onnx (imported IR) | mlir (LLVM dialect; with the spirv.module kernels for vulkan) |
  /// llvm (optimized IR) | asm; spirv writes each Vulkan kernel to OUT/<i>_<name>.spv.
  std::string emit;
  std::vector<std::string> dumpAfter; ///< pass arguments whose output goes to stderr
  /// auto: a causal LM (past_key_values in, present out) compiles for the runtime's paged
  /// KV cache; off: every model compiles as a graph of its ONNX inputs and outputs.
  std::string pagedKV = "auto";
  QuantOptions quant; ///< --quant, --quant-override, --quant-report
  /// Extra LLVM target features ("+dotprod,+i8mm"), added to the CPU's own.
  std::string features;
};

/// Runs a compile. Errors are one line each (file, node or option, and what is wrong).
llvm::Error compileModel(const CompileOptions &options, llvm::raw_ostream &out);

/// The C identifier for a model file name ("my-model.onnx" → "my_model").
std::string defaultModelName(llvm::StringRef inputPath);

/// The architecture ("x86_64", "aarch64") a --target value compiles for.
llvm::Expected<std::string> resolveTargetArch(llvm::StringRef target);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_COMPILE_H
