//===- RunCommand.cpp - `edgec run`: link the runner, run it --------------===//
#include "RunCommand.h"
#include "tools/edgec/ChildProcess.h"

#include <cstring>

#include "llvm/Object/Archive.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace edge {

namespace {

/// The one NAME.weights in `dir` names the model.
llvm::Expected<std::string> findModelName(const std::string &dir) {
  std::error_code ec;
  std::string found;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.ends_with(".weights")) continue;
    if (!found.empty()) return llvm::createStringError(dir + ": holds more than one .weights file");
    found = llvm::sys::path::stem(path).str();
  }
  if (ec) return llvm::createStringError(dir + ": " + ec.message());
  if (found.empty()) return llvm::createStringError(dir + ": no compiled model (NAME.weights) found");
  return found;
}

/// A Linux architecture `edgec run` links and runs programs for: the folder its runtime
/// is in (lib/edgec/<name>, or BUILD/<name> for a cross runtime), and the cross gcc and
/// qemu-user (with the sysroot Debian's cross packages install) when it is not the host's.
struct RunnableArch {
  llvm::Triple::ArchType type;
  const char *name;
  const char *gcc;
  const char *qemu;
  const char *sysroot;
};
constexpr RunnableArch kRunnableArches[] = {
    {llvm::Triple::x86_64, "x86_64", "x86_64-linux-gnu-gcc", "qemu-x86_64", "/usr/x86_64-linux-gnu"},
    {llvm::Triple::aarch64, "aarch64", "aarch64-linux-gnu-gcc", "qemu-aarch64", "/usr/aarch64-linux-gnu"},
    {llvm::Triple::arm, "armv7", "arm-linux-gnueabihf-gcc", "qemu-arm", "/usr/arm-linux-gnueabihf"},
    {llvm::Triple::riscv64, "riscv64", "riscv64-linux-gnu-gcc", "qemu-riscv64", "/usr/riscv64-linux-gnu"},
};

/// The architecture of the first object in a static library, if `edgec run` can run it.
llvm::Expected<const RunnableArch *> archiveArch(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) return llvm::createStringError(path + ": " + buffer.getError().message());
  auto archive = llvm::object::Archive::create((*buffer)->getMemBufferRef());
  if (!archive) return llvm::createStringError(path + ": not a static library");
  llvm::Error error = llvm::Error::success();
  for (const auto &child : (*archive)->children(error)) {
    auto memory = child.getMemoryBufferRef();
    if (!memory) break;
    auto object = llvm::object::ObjectFile::createObjectFile(*memory);
    if (!object) {
      llvm::consumeError(object.takeError());
      continue;
    }
    llvm::consumeError(std::move(error));
    if ((*object)->isMachO())
      return llvm::createStringError(path + ": a library for Apple targets (Mach-O); link it into an app with Xcode");
    for (const RunnableArch &arch : kRunnableArches)
      if (arch.type == (*object)->getArch()) return &arch;
    return llvm::createStringError(path + ": unsupported architecture " +
                                   llvm::Triple::getArchTypeName((*object)->getArch()));
  }
  llvm::consumeError(std::move(error));
  return llvm::createStringError(path + ": holds no object file");
}

/// Where the runtime and runner for `arch` are, found from edgec's own path so that an
/// installed prefix can move: PREFIX/bin/edgec uses PREFIX/lib/edgec/<arch>
/// (tools/cmake/Install.cmake); BUILD/tools/edgec/edgec, in a build folder, uses BUILD for
/// the host and BUILD/<arch> for a cross runtime. $EDGEC_RUNTIME_DIR/<arch> overrides both.
std::string runtimeDir(llvm::StringRef arch, bool native) {
  if (auto fromEnv = llvm::sys::Process::GetEnv("EDGEC_RUNTIME_DIR")) return *fromEnv + "/" + arch.str();
  static int anchor;
  std::string executable = llvm::sys::fs::getMainExecutable("edgec", &anchor);
  llvm::StringRef binDir = llvm::sys::path::parent_path(executable);
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(binDir));
  llvm::sys::path::append(installed, "lib", "edgec", arch);
  if (llvm::sys::fs::is_directory(installed)) return installed.str().str();
  std::string build = llvm::sys::path::parent_path(llvm::sys::path::parent_path(binDir)).str();
  return native ? build : build + "/" + arch.str();
}

llvm::Expected<std::string> findTool(llvm::ArrayRef<llvm::StringRef> names, llvm::StringRef why) {
  for (llvm::StringRef name : names)
    if (auto path = llvm::sys::findProgramByName(name)) return *path;
  return llvm::createStringError(names.front() + " not found (needed to " + why + ")");
}

} // namespace

llvm::Expected<int> runCompiledModel(const std::string &outputDir, const std::vector<std::string> &runnerArgs) {
  auto name = findModelName(outputDir);
  if (!name) return name.takeError();
  std::string library = outputDir + "/lib" + *name + ".a";
  std::string weights = outputDir + "/" + *name + ".weights";
  auto arch = archiveArch(library);
  if (!arch) return arch.takeError();
  llvm::Triple host(llvm::sys::getProcessTriple());
  bool native = (*arch)->type == host.getArch();
  llvm::StringRef archName = (*arch)->name;

  std::string dir = runtimeDir(archName, native);
  std::string runner = dir + "/tools/edge-run/libedge-run-main.a", runtime = dir + "/runtime/libedgert.a";
  std::string tokenizer = dir + "/runtime/libedgetok.a";
  if (!llvm::sys::fs::exists(runner)) runner = dir + "/edge-run/libedge-run-main.a"; // cross build layout
  for (const std::string &path : {runner, runtime, tokenizer})
    if (!llvm::sys::fs::exists(path))
      return llvm::createStringError(path + ": runtime for this architecture not built (set EDGEC_RUNTIME_DIR)");
  auto compiler = native ? findTool({"cc", "gcc", "clang-22"}, "link the runner")
                         : findTool({(*arch)->gcc}, "link an " + archName.str() + " program");
  if (!compiler) return compiler.takeError();
  std::string executable = outputDir + "/" + *name + (native ? "-run" : "-run-" + archName.str());
  std::string defsym = "-Wl,--defsym=edge_run_model_entry=" + *name + "_model";
  std::string undefined = "-Wl,--undefined=" + *name + "_model";
  std::vector<std::string> link = {*compiler, "-o", executable, runner, undefined, defsym, library, tokenizer, runtime};
  // Libraries this runtime build depends on (the Vulkan loader when it has the backend).
  if (auto extra = llvm::MemoryBuffer::getFile(dir + "/runtime/libedgert.link"))
  {
    llvm::SmallVector<llvm::StringRef> libs;
    (*extra)->getBuffer().trim().split(libs, ';', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef lib : libs) link.push_back(lib.str());
  }
  link.insert(link.end(), {"-lm", "-lpthread"});
  std::vector<llvm::StringRef> linkArgs(link.begin(), link.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*compiler, linkArgs, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) return llvm::createStringError(executable + ": linking the runner failed " + message);

  // The runner writes into --output-dir; like `compile -o`, the folder is made if need be.
  for (size_t i = 0; i + 1 < runnerArgs.size(); ++i)
    if (runnerArgs[i] == "--output-dir")
      if (std::error_code ec = llvm::sys::fs::create_directories(runnerArgs[i + 1]))
        return llvm::createStringError("--output-dir " + runnerArgs[i + 1] + ": cannot create: " + ec.message());

  std::vector<std::string> command;
  if (!native) {
    auto qemu = findTool({(*arch)->qemu}, "run " + archName.str() + " code on this host; install qemu-user");
    if (!qemu) return qemu.takeError();
    command = {*qemu, "-L", (*arch)->sysroot};
  }
  command.push_back(executable);
  command.push_back(weights);
  command.insert(command.end(), runnerArgs.begin(), runnerArgs.end());
  auto exit = runChildProcess(command);
  if (!exit) return exit.takeError();
  if (exit->signal) // a crash is never a clean refusal: the shell's 128 + signal
    llvm::errs() << "edgec: error: " << executable << " was killed by signal " << exit->signal << " ("
                 << strsignal(exit->signal) << ")\n";
  return exit->status;
}

} // namespace edge
