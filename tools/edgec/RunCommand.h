//===- RunCommand.h - `edgec run` ------------------------------*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_RUNCOMMAND_H
#define EDGE_TOOLS_EDGEC_RUNCOMMAND_H

#include <string>
#include <vector>

#include "llvm/Support/Error.h"

namespace edge {

/// Links the edge-run runner against OUT's libNAME.a for the library's architecture and
/// runs it (directly on a matching host, under qemu-aarch64 for aarch64 libraries),
/// forwarding `runnerArgs` (--input NAME=FILE.npy, --output-dir DIR, --repeat N).
/// Returns the runner's exit status, or 128 + the signal that killed it (said on stderr).
llvm::Expected<int> runCompiledModel(const std::string &outputDir, const std::vector<std::string> &runnerArgs);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_RUNCOMMAND_H
