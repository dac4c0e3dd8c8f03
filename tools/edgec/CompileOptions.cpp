//===- CompileOptions.cpp - `edgec compile`'s options, parsed and checked -===//
#include "tools/edgec/CompileOptions.h"

#include <optional>
#include <utility>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace edge {
namespace {

/// An option's allowed spellings and what each means.
template <typename T> using Choices = std::initializer_list<std::pair<const char *, T>>;

template <typename T>
llvm::Expected<T> choose(llvm::StringRef option, llvm::StringRef value, Choices<T> choices) {
  std::vector<std::string> spellings;
  for (auto [spelling, meaning] : choices) {
    if (value == spelling) return meaning;
    spellings.push_back(spelling);
  }
  std::string expected = llvm::join(llvm::ArrayRef(spellings).drop_back(), ", ") + " or " + spellings.back();
  return llvm::createStringError(option + " '" + value + "': expected " + expected);
}

const Choices<Target> kTargets = {{"host", Target::Host},
                                  {"aarch64-linux-gnu", Target::Aarch64Linux},
                                  {"x86_64-linux-gnu", Target::X86_64Linux},
                                  {"armv7-linux-gnueabihf", Target::Armv7Linux},
                                  {"riscv64-linux-gnu", Target::Riscv64Linux},
                                  {"aarch64-linux-android", Target::Aarch64Android},
                                  {"arm64-apple-ios", Target::Arm64Ios},
                                  {"arm64-apple-macos", Target::Arm64Macos},
                                  {"vulkan", Target::Vulkan}};
const Choices<Target> kHostTriples = {{"host", Target::Host},
                                      {"aarch64-linux-gnu", Target::Aarch64Linux},
                                      {"x86_64-linux-gnu", Target::X86_64Linux},
                                      {"armv7-linux-gnueabihf", Target::Armv7Linux},
                                      {"riscv64-linux-gnu", Target::Riscv64Linux}};
const Choices<Emit> kEmits = {{"onnx", Emit::Onnx}, {"mlir", Emit::Mlir}, {"llvm", Emit::Llvm},
                              {"asm", Emit::Asm},   {"spirv", Emit::Spirv}};
const Choices<PagedKV> kPagedKV = {{"auto", PagedKV::Auto}, {"off", PagedKV::Off}};
const Choices<QuantMode> kQuantModes = {{"none", QuantMode::None}, {"q8_0", QuantMode::Q8_0}, {"q4_0", QuantMode::Q4_0},
                                        {"q4_1", QuantMode::Q4_1}, {"mixed", QuantMode::Mixed}};
constexpr const char *kFormats[] = {"f32", "q8_0", "q4_0", "q4_1"};

llvm::Expected<QuantOverride> parseOverride(llvm::StringRef text) {
  size_t equals = text.rfind('=');
  auto bad = [&] { return llvm::createStringError("--quant-override '" + text + "': expected PATTERN=f32|q8_0|q4_0|q4_1"); };
  if (equals == llvm::StringRef::npos || equals == 0) return bad();
  QuantOverride parsed{text.substr(0, equals).str(), text.substr(equals + 1).str()};
  if (!llvm::is_contained(kFormats, parsed.format)) return bad();
  auto pattern = llvm::GlobPattern::create(parsed.pattern);
  if (!pattern) {
    llvm::consumeError(pattern.takeError());
    return bad();
  }
  return parsed;
}

} // namespace

std::string defaultModelName(llvm::StringRef inputPath) {
  std::string name = llvm::sys::path::stem(inputPath).str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_') c = '_';
  if (name.empty() || llvm::isDigit(name[0])) name = "m_" + name;
  return name;
}

llvm::Expected<CpuTarget> cpuTarget(Target target) {
  switch (target) {
  case Target::Aarch64Linux: return CpuTarget{"aarch64", ""};
  case Target::X86_64Linux: return CpuTarget{"x86_64", ""};
  case Target::Armv7Linux: return CpuTarget{"armv7", ""};
  case Target::Riscv64Linux: return CpuTarget{"riscv64", ""};
  // API level 24 (Android 7.0), the oldest the NDK's 64-bit toolchains still take for
  // most apps; the objects use nothing that needs a newer one.
  case Target::Aarch64Android: return CpuTarget{"aarch64", "aarch64-unknown-linux-android24"};
  case Target::Arm64Ios: return CpuTarget{"aarch64", "arm64-apple-ios15.0"};
  case Target::Arm64Macos: return CpuTarget{"aarch64", "arm64-apple-macosx12.0"};
  case Target::Host:
  case Target::Vulkan: break;
  }
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (host.getArch() == llvm::Triple::x86_64) return CpuTarget{"x86_64", ""};
  if (host.getArch() == llvm::Triple::aarch64) return CpuTarget{"aarch64", ""};
  return llvm::createStringError("--target host: unsupported host " + host.str());
}

llvm::StringRef quantModeName(QuantMode mode) {
  for (auto [spelling, meaning] : kQuantModes)
    if (meaning == mode) return spelling;
  return "none";
}

llvm::Expected<CompileOptions> parseCompileOptions(llvm::ArrayRef<std::string> args) {
  CompileOptions options;
  std::optional<std::string> hostTriple, name;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    // `--option=value` and `--option value` alike.
    llvm::StringRef option = arg, inlineValue;
    bool hasInlineValue = arg.starts_with("--") && arg.contains('=');
    if (hasInlineValue) std::tie(option, inlineValue) = arg.split('=');
    auto value = [&]() -> llvm::Expected<std::string> {
      if (hasInlineValue) return inlineValue.str();
      if (i + 1 >= args.size()) return llvm::createStringError("option '" + arg + "' needs a value");
      return args[++i];
    };
    llvm::Error error = llvm::Error::success();
    auto take = [&](auto &&parse) {
      auto text = value();
      if (!text) return void(error = text.takeError());
      if (llvm::Error failure = parse(*text)) error = std::move(failure);
    };
    auto into = [&](auto &slot, auto choices) {
      return [&slot, option, choices](const std::string &text) -> llvm::Error {
        auto chosen = choose(option, text, choices);
        if (!chosen) return chosen.takeError();
        slot = *chosen;
        return llvm::Error::success();
      };
    };
    auto string = [](auto &slot) {
      return [&slot](const std::string &text) -> llvm::Error {
        slot = text;
        return llvm::Error::success();
      };
    };
    if (option == "-o" || option == "--output") take(string(options.outputDir));
    else if (option == "--target") take(into(options.target, kTargets));
    else if (option == "--host-triple") take([&](const std::string &text) -> llvm::Error {
        hostTriple = text;
        return into(options.hostTriple, kHostTriples)(text);
      });
    else if (option == "--cpu") take(string(options.cpu));
    else if (option == "--name") take([&](const std::string &text) { name = text; return llvm::Error::success(); });
    else if (option == "--emit") take(into(options.emit, kEmits));
    else if (option == "--paged-kv") take(into(options.pagedKV, kPagedKV));
    else if (option == "--features") take(string(options.features));
    else if (option == "--quant") take(into(options.quant.mode, kQuantModes));
    else if (option == "--quant-override") take([&](const std::string &text) -> llvm::Error {
        auto parsed = parseOverride(text);
        if (!parsed) return parsed.takeError();
        options.quant.overrides.push_back(std::move(*parsed));
        return llvm::Error::success();
      });
    else if (option == "--quant-report") take(string(options.quant.reportPath));
    else if (option == "--jobs") take([&](const std::string &text) -> llvm::Error {
        unsigned jobs = 0;
        if (llvm::StringRef(text).getAsInteger(10, jobs) || jobs == 0 || jobs > 1024)
          return llvm::createStringError("--jobs '" + text + "': expected a number of threads from 1 to 1024");
        options.jobs = jobs;
        return llvm::Error::success();
      });
    else if (option == "--timings" && !hasInlineValue) options.timings = true;
    else if (option == "--dump-after") take([&](const std::string &text) {
        options.dumpAfter.push_back(text);
        return llvm::Error::success();
      });
    else if (arg.starts_with("-")) error = llvm::createStringError("unknown option '" + arg + "'");
    else if (options.input.empty()) options.input = arg.str();
    else error = llvm::createStringError("more than one model given ('" + options.input + "', '" + arg + "')");
    if (error) return std::move(error);
  }
  if (options.input.empty()) return llvm::createStringError("no model given");
  if (options.outputDir.empty() && (options.emit == Emit::Artifacts || options.emit == Emit::Spirv))
    return llvm::createStringError("no output folder given (-o OUT)");
  bool vulkan = options.target == Target::Vulkan;
  if (!vulkan && hostTriple && options.hostTriple != Target::Host)
    return llvm::createStringError("--host-triple is for --target vulkan (the CPU targets are their own host)");
  if (options.emit == Emit::Spirv && !vulkan) return llvm::createStringError("--emit spirv needs --target vulkan");
  options.name = name ? *name : defaultModelName(options.input);
  if (options.name.empty() || llvm::isDigit(options.name[0]) ||
      !llvm::all_of(options.name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return llvm::createStringError("--name '" + options.name + "' is not a C identifier");
  if (llvm::sys::path::extension(options.quant.reportPath) == ".svg")
    return llvm::createStringError("--quant-report '" + options.quant.reportPath +
                                   "': that is where the table's plot goes; name the table file (e.g. report.tsv) "
                                   "and the plot is written beside it as .svg");
  if (!options.features.empty())
    for (llvm::StringRef feature : llvm::split(options.features, ','))
      if (feature.size() < 2 || (feature[0] != '+' && feature[0] != '-'))
        return llvm::createStringError("--features '" + options.features +
                                       "': expected a comma-separated list like +dotprod,+i8mm");
  return options;
}

} // namespace edge
