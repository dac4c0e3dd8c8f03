//===- ModuleTarget.h - the CPU target a module is compiled for -*- C++ -*-===//
#ifndef EDGE_CODEGEN_CPU_MODULETARGET_H
#define EDGE_CODEGEN_CPU_MODULETARGET_H

#include "codegen/cpu/TargetConfig.h"
#include "mlir/IR/Operation.h"

namespace edge {

/// The configuration named by the enclosing module's `edge.target` (x86_64 when absent)
/// and `edge.cpu`; emits an error on `op` and returns nullopt for an unknown target.
std::optional<CpuTargetConfig> getModuleTargetConfig(mlir::Operation *op);

} // namespace edge

#endif // EDGE_CODEGEN_CPU_MODULETARGET_H
