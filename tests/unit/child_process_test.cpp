// How `edgec run` reports its runner's end: the exit status, or 128 + the signal that
// killed it, so a crash can never pass for a clean refusal (exit status 1).
#include <gtest/gtest.h>

#include <csignal>

#include "tools/edgec/ChildProcess.h"

namespace {

TEST(ChildProcessTest, ReportsTheExitStatus) {
  auto exit = edge::runChildProcess({"/bin/sh", "-c", "exit 3"});
  ASSERT_TRUE(static_cast<bool>(exit));
  EXPECT_EQ(exit->status, 3);
  EXPECT_EQ(exit->signal, 0);
}

TEST(ChildProcessTest, ACrashIsOneHundredTwentyEightPlusItsSignal) {
  auto exit = edge::runChildProcess({"/bin/sh", "-c", "kill -SEGV $$"});
  ASSERT_TRUE(static_cast<bool>(exit));
  EXPECT_EQ(exit->signal, SIGSEGV);
  EXPECT_EQ(exit->status, 128 + SIGSEGV);
}

TEST(ChildProcessTest, AProgramThatCannotStartIsAnError) {
  auto exit = edge::runChildProcess({"/nonexistent/runner"});
  ASSERT_FALSE(static_cast<bool>(exit));
  EXPECT_NE(llvm::toString(exit.takeError()).find("/nonexistent/runner: cannot start"), std::string::npos);
}

} // namespace
