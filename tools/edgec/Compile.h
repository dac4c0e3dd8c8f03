//===- Compile.h - one `edgec compile` -------------------------*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_COMPILE_H
#define EDGE_TOOLS_EDGEC_COMPILE_H

#include "tools/edgec/CompileOptions.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

/// Runs a compile with checked options (parseCompileOptions): import → front → weights →
/// back → emit, stopping where options.emit says and printing that stage to `out`.
/// Errors are one line each (file, node or option, and what is wrong).
llvm::Error compileModel(const CompileOptions &options, llvm::raw_ostream &out);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_COMPILE_H
