//===- ChildProcess.cpp - run a program and report how it ended -----------===//
//
// llvm::sys::ExecuteAndWait reports a child killed by a signal as -2 with the signal's
// name in a message, losing its number; `edgec run` must exit with 128 + the signal, so
// that a crashing runner can never pass for a clean refusal (status 1). POSIX spawn and
// wait keep it.
//
//===----------------------------------------------------------------------===//
#include "tools/edgec/ChildProcess.h"

#include <cerrno>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace edge {

llvm::Expected<ChildExit> runChildProcess(const std::vector<std::string> &argv) {
  if (argv.empty()) return llvm::createStringError("no program to run");
  std::vector<char *> args;
  for (const std::string &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawn(&pid, argv[0].c_str(), nullptr, nullptr, args.data(), environ);
  if (error) return llvm::createStringError(argv[0] + ": cannot start: " + std::strerror(error));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return llvm::createStringError(argv[0] + ": cannot wait for it: " + std::strerror(errno));
  ChildExit exit;
  if (WIFSIGNALED(status)) {
    exit.signal = WTERMSIG(status);
    exit.status = 128 + exit.signal;
  } else {
    exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  return exit;
}

} // namespace edge
