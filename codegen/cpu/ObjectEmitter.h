//===- ObjectEmitter.h - LLVM dialect → optimized object code --*- C++ -*-===//
#ifndef EDGE_CODEGEN_CPU_OBJECTEMITTER_H
#define EDGE_CODEGEN_CPU_OBJECTEMITTER_H

#include <memory>

#include "codegen/cpu/TargetConfig.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace edge {

/// The LLVM TargetMachine for `config` (PIC, so one object serves .a and .so).
/// Refuses a CPU name (other than "native") or a feature in `userFeatures` (the
/// comma-separated +name,-name list) that LLVM does not know for the config's target,
/// naming the closest known one.
llvm::Error checkCpuAndFeatures(const CpuTargetConfig &config, llvm::StringRef userFeatures);

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const CpuTargetConfig &config);

/// Translates an LLVM-dialect module to LLVM IR for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>> translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                                                                llvm::TargetMachine &machine);

/// Runs LLVM's O3 pipeline tuned for `machine` (loop and SLP vectorizers included).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine);

enum class EmitKind { Object, Assembly };

/// Emits `module` as an object file or assembly text.
llvm::Expected<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine, EmitKind kind);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_OBJECTEMITTER_H
