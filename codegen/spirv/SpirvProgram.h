//===- SpirvProgram.h - SPIR-V kernels and the dispatch manifest -*- C++ -*-===//
#ifndef EDGE_CODEGEN_SPIRV_SPIRVPROGRAM_H
#define EDGE_CODEGEN_SPIRV_SPIRVPROGRAM_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <array>
#include <string>
#include <vector>

namespace edge {

/// One serialized kernel and its interface (model_abi.h, edge_vk_kernel_t).
struct SpirvKernel {
  std::string entryPoint;
  std::vector<uint32_t> words;
  std::vector<uint32_t> bindingBytes;
  uint32_t pushConstants = 0;
  std::array<uint32_t, 3> workgroupSize = {1, 1, 1};
  bool usesInt64 = false;
};

/// A host constant (memref.global) that kernels read: uploaded once by the runtime.
struct SpirvConstant {
  std::string global;
  uint64_t bytes = 0;
};

struct SpirvProgram {
  std::vector<SpirvKernel> kernels; // by kernel index (edge-vulkan-dispatch's order)
  std::vector<SpirvConstant> constants;
};

/// Serializes the spirv.module ops that edgec's Vulkan pipeline left in `module`, in
/// kernel-index order, and removes them and the gpu.module ops, leaving the host code.
/// Also lists the constant memref.globals the host code passes to kernels.
llvm::Expected<SpirvProgram> extractSpirvProgram(mlir::ModuleOp module);

/// Writes each kernel as DIR/<index>_<entry point>.spv (for --emit spirv and spirv-val).
llvm::Error writeSpirvFiles(const SpirvProgram &program, llvm::StringRef dir);

/// Adds a constant edge_vk_program_t for `program` to `module` (whose constant globals
/// it references by name) and returns it.
llvm::Expected<llvm::Constant *> emitVulkanProgram(llvm::Module &module, const SpirvProgram &program,
                                                   llvm::StringRef prefix);

} // namespace edge

#endif // EDGE_CODEGEN_SPIRV_SPIRVPROGRAM_H
