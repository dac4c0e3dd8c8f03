//===- ModelDescriptor.h - the model ABI in generated code -----*- C++ -*-===//
#ifndef EDGE_CODEGEN_CPU_MODELDESCRIPTOR_H
#define EDGE_CODEGEN_CPU_MODELDESCRIPTOR_H

#include "codegen/common/ModelIdentity.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace edge {

/// Adds to `module` (which holds `_mlir_ciface_<entry>`) the symbols of the model ABI
/// (runtime/include/edge/model_abi.h):
///   int32_t NAME_run(void *const *args);               calls the compiled entry
///   const edge_model_desc_t *NAME_model(void);          the exported entry symbol
/// and a constant edge_model_desc_t describing `identity` and `interface` (the IR's
/// edge.model); `vulkanProgram` (an
/// edge_vk_program_t global, see codegen/spirv) for --target vulkan.
llvm::Error emitModelDescriptor(llvm::Module &module, const ModelIdentity &identity, const ModelInterface &interface,
                                llvm::StringRef entry,
                                llvm::Constant *vulkanProgram = nullptr);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_MODELDESCRIPTOR_H
