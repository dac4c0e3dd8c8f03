//===- Usage.h - `edgec help` and each command's --help --------*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_USAGE_H
#define EDGE_TOOLS_EDGEC_USAGE_H

#include <string>

#include "llvm/ADT/StringRef.h"

namespace edge {

/// The help of `command` (compile, run, inspect), the overview for "" or "help", NULL for
/// a command that does not exist.
const char *usageText(llvm::StringRef command);

/// `edgec --version`: edgec's version, LLVM's, and the model ABI and weights format it writes.
std::string versionText();

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_USAGE_H
