//===- Inspect.h - `edgec inspect`: what a model holds and what edgec makes of it -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_INSPECT_H
#define EDGE_TOOLS_EDGEC_INSPECT_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

/// Prints the model's opsets, inputs and outputs with their symbolic dims, parameters by
/// element type, its op histogram and every node edgec cannot import (all of them, each
/// with the reason); then, when all are supported, the op histogram after import-time
/// simplification and what the causal-LM rewrite makes of it. Returns the number of
/// unsupported nodes, or an error (one line) when the file cannot be read, or the import
/// or the paged-KV rewrite of an otherwise supported model fails.
llvm::Expected<size_t> inspectModel(llvm::StringRef path, llvm::raw_ostream &out);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_INSPECT_H
