//===- edgec.cpp - the edgec command line ----------------------------------===//
//
//   edgec compile MODEL.onnx -o OUT [--target host|aarch64-linux-gnu|x86_64-linux-gnu|armv7-linux-gnueabihf|
//                                            riscv64-linux-gnu|aarch64-linux-android|arm64-apple-ios|
//                                            arm64-apple-macos|vulkan]
//                 [--host-triple host|aarch64-linux-gnu|x86_64-linux-gnu|armv7-linux-gnueabihf|riscv64-linux-gnu]
//                 [--cpu NAME] [--name NAME] [--emit onnx|mlir|llvm|asm|spirv] [--dump-after PASS]
//                 [--paged-kv auto|off] [--features +dotprod,...]
//                 [--quant none|q8_0|q4_0|q4_1|mixed] [--quant-override PATTERN=FORMAT]... [--quant-report FILE]
//                 [--jobs N] [--timings]
//   edgec run OUT --input NAME=FILE.npy ... [--output-dir DIR] [--repeat N]
//   edgec run OUT --prompt-ids 1,2,3 | --prompt TEXT --tokenizer tokenizer.json
//             [--max-tokens N] [--greedy] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json] ...
//   edgec inspect MODEL.onnx
//   edgec help [COMMAND], edgec COMMAND --help, edgec --version   (tools/edgec/Usage.cpp)
//
// A user error prints one line, "edgec: error: ...", and exits with status 1.
//
//===----------------------------------------------------------------------===//
#include "RunCommand.h"
#include "tools/edgec/Compile.h"
#include "tools/edgec/Inspect.h"
#include "tools/edgec/Usage.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace {

int fail(const std::string &message) {
  std::string line = message;
  for (char &c : line) // names from a damaged model may hold control characters
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = c == '\n' ? ' ' : '?';
  llvm::outs().flush(); // what was printed before the error stays before it
  llvm::errs() << "edgec: error: " << line << "\n";
  return 1;
}

int fail(llvm::Error error) { return fail(llvm::toString(std::move(error))); }

int compileCommand(int argc, char **argv) {
  auto options = edge::parseCompileOptions(std::vector<std::string>(argv + 2, argv + argc));
  if (!options) {
    std::string message = llvm::toString(options.takeError());
    if (message == "no model given") message += " (edgec compile --help lists the options)";
    return fail(message);
  }
  if (llvm::Error error = edge::compileModel(*options, llvm::outs())) return fail(std::move(error));
  return 0;
}

int runCommand(int argc, char **argv) {
  if (argc < 3 || argv[2][0] == '-')
    return fail("edgec run needs the compile output folder first (edgec run --help lists the options)");
  std::vector<std::string> rest(argv + 3, argv + argc);
  auto rc = edge::runCompiledModel(argv[2], rest);
  if (!rc) return fail(rc.takeError());
  return *rc;
}

/// Exits 1 when some node is unsupported, so that build scripts can check a model.
int inspectCommand(int argc, char **argv) {
  if (argc != 3) return fail("edgec inspect takes one model (edgec inspect MODEL.onnx)");
  auto unsupported = edge::inspectModel(argv[2], llvm::outs());
  if (!unsupported) return fail(unsupported.takeError());
  if (*unsupported) return fail(std::string(argv[2]) + ": " + std::to_string(*unsupported) + " node(s) cannot be compiled");
  return 0;
}

/// `--help` or `-h` among a command's own arguments (for run: right after the command,
/// since the rest goes to the runner).
bool asksForHelp(int argc, char **argv, bool firstOnly) {
  for (int i = 2; i < argc && (i == 2 || !firstOnly); ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") return true;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::string command = argc < 2 ? "" : argv[1];
  if (command.empty()) {
    llvm::errs() << edge::usageText("");
    return 1;
  }
  if (command == "--version" || command == "version") {
    llvm::outs() << edge::versionText();
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    const char *text = edge::usageText(command == "help" && argc > 2 ? argv[2] : "");
    if (!text) return fail("no command '" + std::string(argv[2]) + "' (commands: compile, run, inspect)");
    llvm::outs() << text;
    return 0;
  }
  if (const char *text = edge::usageText(command); text && asksForHelp(argc, argv, command == "run")) {
    llvm::outs() << text;
    return 0;
  }
  if (command == "compile") return compileCommand(argc, argv);
  if (command == "run") return runCommand(argc, argv);
  if (command == "inspect") return inspectCommand(argc, argv);
  return fail("unknown command '" + command + "' (commands: compile, run, inspect; edgec help lists them)");
}
