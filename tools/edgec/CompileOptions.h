//===- CompileOptions.h - `edgec compile`'s options, parsed and checked -*- C++ -*-===//
//
// The command line becomes this struct in one place (parseCompileOptions), which owns
// every option error: values outside their sets, combinations that do not go together,
// malformed lists. The compile itself only sees checked, typed options.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_TOOLS_EDGEC_COMPILEOPTIONS_H
#define EDGE_TOOLS_EDGEC_COMPILEOPTIONS_H

#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace edge {

/// What the code compiles for; for Vulkan, `hostTriple` says what its host code runs on.
/// The CPU targets other than the host are Linux triples (runnable here under qemu-user),
/// Android (ELF for the NDK's linker) and Apple's (Mach-O objects for Xcode's).
enum class Target {
  Host,
  Aarch64Linux,
  X86_64Linux,
  Armv7Linux,
  Riscv64Linux,
  Aarch64Android,
  Arm64Ios,
  Arm64Macos,
  Vulkan
};

/// A CPU target as code generation needs it: the arch edgec's tile heuristics and
/// ukernels know it by, and the LLVM triple when it is not that arch's Linux one.
struct CpuTarget {
  std::string arch;   ///< "x86_64", "aarch64", "armv7", "riscv64"
  std::string triple; ///< LLVM triple for another OS (Android, Apple); empty: Linux
};

/// Where a compile stops: after writing the artifacts, or printing one stage.
enum class Emit {
  Artifacts, ///< libNAME.a, NAME.h, NAME.weights (and libNAME.so for the host)
  Onnx,      ///< the imported IR, after the causal-LM rewrite and quantization planning
  Mlir,      ///< the LLVM dialect (with the spirv.module kernels for Vulkan)
  Llvm,      ///< the optimized LLVM IR
  Asm,       ///< assembly
  Spirv,     ///< each Vulkan kernel as OUT/<i>_<name>.spv
};

enum class PagedKV { Auto, Off };

/// --quant: none, one format for every weight, or mixed (q4_0, with the token embedding,
/// the logits projection and the quarter of the other matrices q4_0 fits worst at q8_0).
enum class QuantMode { None, Q8_0, Q4_0, Q4_1, Mixed };

struct QuantOverride {
  std::string pattern; ///< a glob over weight names (checked to compile)
  std::string format;  ///< f32 | q8_0 | q4_0 | q4_1
};

struct QuantOptions {
  QuantMode mode = QuantMode::None;
  std::vector<QuantOverride> overrides; ///< later ones win
  int64_t block = 32;
  std::string reportPath; ///< --quant-report: a table here and a plot beside it (.svg)
};

struct CompileOptions {
  std::string input;     ///< model.onnx
  std::string outputDir; ///< where the artifacts go (empty only with an Emit that prints)
  Target target = Target::Host;
  Target hostTriple = Target::Host; ///< Vulkan's host code: Host or a Linux CPU target
  std::string cpu;      ///< LLVM CPU name, "native", or empty for the baseline
  std::string features; ///< extra LLVM target features ("+dotprod,+i8mm"), checked for form
  std::string name;     ///< C identifier (the input's stem when not given)
  Emit emit = Emit::Artifacts;
  std::vector<std::string> dumpAfter; ///< pass arguments whose output goes to stderr
  /// Auto: a causal LM (past_key_values in, present out) compiles for the runtime's paged
  /// KV cache; Off: every model compiles as a graph of its ONNX inputs and outputs.
  PagedKV pagedKV = PagedKV::Auto;
  QuantOptions quant;
  /// --jobs: threads for the weights and the code generator (0: one per core). The
  /// artifacts are the same for every count.
  unsigned jobs = 0;
  bool timings = false; ///< --timings: a per-stage time table on stderr
};

/// Parses the arguments after `edgec compile`. Errors are one line naming the option.
llvm::Expected<CompileOptions> parseCompileOptions(llvm::ArrayRef<std::string> args);

/// The C identifier for a model file name ("my-model.onnx" → "my_model").
std::string defaultModelName(llvm::StringRef inputPath);

/// The CPU target `target` compiles for (the process's own for Host); an error for an
/// architecture edgec has no code generator for.
llvm::Expected<CpuTarget> cpuTarget(Target target);

/// The name of a quantization format as the weights and reports spell it.
llvm::StringRef quantModeName(QuantMode mode);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_COMPILEOPTIONS_H
