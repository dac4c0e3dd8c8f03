//===- Ukernels.h - linking runtime/ukernels bitcode into a model -*- C++ -*-===//
//
// Generated code calls ukernels by their generic C-interface names (the quantized matmul:
// `_mlir_ciface_edge_uk_qmatmul`). At object emission the variant the target machine's
// features allow is linked in from bitcode embedded in edgec (built from runtime/ukernels
// by codegen/CMakeLists.txt), the calls are pointed at it and it is made internal, so two
// models in one app never clash and the instructions are the target's own.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_CPU_UKERNELS_H
#define EDGE_CODEGEN_CPU_UKERNELS_H

#include <cstddef>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace edge {

/// One row of runtime/ukernels/Variants.cmake, with its bitcode; rows of an arch go from
/// most to least preferred.
struct UkernelBitcode {
  const char *arch;     ///< "x86_64" or "aarch64"
  const char *variant;  ///< "generic", "avx2", "avx512vnni", "dotprod", "i8mm"
  const char *features; ///< LLVM target features the variant needs ("" for none)
  int rowGroup;         ///< 4: reads the _x4 interleaved quantized weights; 1: plain rows
  const unsigned char *data;
  size_t size;
};
extern const UkernelBitcode kUkernelBitcode[];
extern const size_t kUkernelBitcodeCount;

/// The most preferred ukernel variant of `arch` whose features the machine's CPU and
/// features have (Variants.cmake orders them: i8mm > dotprod > generic on aarch64,
/// avx512vnni > avx2 > generic on x86-64).
std::string selectUkernelVariant(llvm::StringRef arch, const llvm::TargetMachine &machine);

/// The weight rows `variant` of `arch` reads at once (UkernelBitcode::rowGroup; 1 if unknown).
int ukernelRowGroup(llvm::StringRef arch, llvm::StringRef variant);

/// Links `variant`'s definitions of the ukernels `module` calls; a no-op when it calls none.
llvm::Error linkUkernels(llvm::Module &module, llvm::StringRef arch, llvm::StringRef variant);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_UKERNELS_H
