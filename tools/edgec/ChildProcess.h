//===- ChildProcess.h - run a program and report how it ended -*- C++ -*-===//
#ifndef EDGE_TOOLS_EDGEC_CHILDPROCESS_H
#define EDGE_TOOLS_EDGEC_CHILDPROCESS_H

#include <string>
#include <vector>

#include "llvm/Support/Error.h"

namespace edge {

/// How a child process ended.
struct ChildExit {
  int status = 0; ///< its exit status, or 128 + the signal that killed it (as shells report)
  int signal = 0; ///< the signal that killed it, 0 when it exited
};

/// Runs `argv` (argv[0] a path), inheriting stdin, stdout and stderr, and waits for it.
/// An error only when it cannot be started.
llvm::Expected<ChildExit> runChildProcess(const std::vector<std::string> &argv);

} // namespace edge

#endif // EDGE_TOOLS_EDGEC_CHILDPROCESS_H
