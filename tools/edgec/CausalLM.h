//===- CausalLM.h - compile a causal LM for the paged KV cache -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_CAUSALLM_H
#define EDGE_TOOLS_EDGEC_CAUSALLM_H

#include "compiler/import/ImportedWeights.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace edge {

/// Runs edge-paged-attention on the imported module and, when it recognized a causal LM,
/// rewrites `interface` to match: past inputs and present outputs gone, position_ids
/// present, unused symbols dropped, causalLM filled in. `diagnose` turns a failed pass
/// into the error to return.
llvm::Error compileForPagedKV(mlir::ModuleOp module, ImportedInterface &interface,
                              llvm::function_ref<llvm::Error()> diagnose);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_CAUSALLM_H
