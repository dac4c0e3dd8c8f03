//===- Compile.cpp - import → pipeline → codegen → artifacts ---------------===//
#include "tools/edgec/Compile.h"
#include "tools/edgec/CausalLM.h"

#include "codegen/artifacts/Artifacts.h"
#include "codegen/cpu/ModelDescriptor.h"
#include "codegen/cpu/ObjectEmitter.h"
#include "codegen/cpu/Ukernels.h"
#include "codegen/spirv/SpirvProgram.h"
#include "compiler/conversion/Passes.h"
#include "compiler/import/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/transforms/Passes.h"
#include "codegen/cpu/Pipelines.h"
#include "codegen/spirv/Pipelines.h"
#include "dialects/edge/IR/EdgeAttributes.h"
#include "dialects/edge/IR/EdgeDialect.h"
#include "dialects/edge/IR/ModelInterface.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace edge {

std::string defaultModelName(llvm::StringRef inputPath) {
  std::string name = llvm::sys::path::stem(inputPath).str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_') c = '_';
  if (name.empty() || llvm::isDigit(name[0])) name = "m_" + name;
  return name;
}

llvm::Expected<std::string> resolveTargetArch(llvm::StringRef target) {
  if (target == "host") {
    llvm::Triple host(llvm::sys::getProcessTriple());
    if (host.getArch() == llvm::Triple::x86_64) return std::string("x86_64");
    if (host.getArch() == llvm::Triple::aarch64) return std::string("aarch64");
    return llvm::createStringError("--target host: unsupported host " + host.str());
  }
  if (target == "aarch64-linux-gnu") return std::string("aarch64");
  if (target == "x86_64-linux-gnu") return std::string("x86_64");
  return llvm::createStringError("--target '" + target + "': expected host, aarch64-linux-gnu or x86_64-linux-gnu");
}

/// Links `objectPath` into a shared library with the system C compiler driver.
static llvm::Error linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef outputPath) {
  for (const char *driver : {"cc", "clang-22", "gcc"}) {
    auto program = llvm::sys::findProgramByName(driver);
    if (!program) continue;
    std::string errorMessage;
    int rc = llvm::sys::ExecuteAndWait(*program, {*program, "-shared", "-o", outputPath, objectPath, "-lm"},
                                       std::nullopt, {}, 0, 0, &errorMessage);
    if (rc != 0) return llvm::createStringError(outputPath + ": linking with " + *program + " failed " + errorMessage);
    return llvm::Error::success();
  }
  return llvm::createStringError(outputPath + ": no C compiler driver (cc, clang-22, gcc) to link it");
}

/// --target vulkan: the host code's allocations (finalize-memref-to-llvm's generic
/// functions) are device buffers, allocated by the runtime's Vulkan backend.
static void bindDeviceAllocations(llvm::Module &module) {
  for (auto [generic, runtime] : {std::pair{"_mlir_memref_to_llvm_alloc", "edge_vk_alloc"},
                                  std::pair{"_mlir_memref_to_llvm_aligned_alloc", "edge_vk_aligned_alloc"},
                                  std::pair{"_mlir_memref_to_llvm_free", "edge_vk_free"}})
    if (llvm::Function *f = module.getFunction(generic)) f->setName(runtime);
}

/// The weights file's records: each imported weight in the layout the passes chose.
static std::vector<WeightRecord> weightRecords(const ImportedInterface &interface) {
  std::vector<WeightRecord> records;
  for (const WeightEntry &entry : interface.weights) {
    WeightRecord record;
    record.name = entry.name;
    record.dtype = entry.dtype;
    record.dims = entry.dims;
    record.offset = entry.offset;
    record.sourceBytes = entry.source.byteSize;
    record.packN = entry.packN;
    record.packFromNK = entry.packFromNK;
    record.quantDtype = entry.quantDtype;
    record.quantBlock = entry.quantBlock;
    record.quantFromKN = entry.quantFromKN;
    record.prequantized = entry.nbitsScales || entry.dqScales;
    records.push_back(std::move(record));
  }
  return records;
}

/// The weights writer reads the importer's sources through this.
class ImportedWeightSource : public WeightSource {
public:
  explicit ImportedWeightSource(const ImportedInterface &interface) : interface(interface) {}
  llvm::Error stream(size_t index, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                     QuantizationError *measured) override {
    return streamWeightSource(interface.weights[index], consume, &measured->relRmse, &measured->maxAbs);
  }

private:
  const ImportedInterface &interface;
};

/// Collects the first error diagnostic as one line ("loc: message").
class FirstErrorHandler {
public:
  explicit FirstErrorHandler(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diag) {
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error && message.empty()) {
            std::string location;
            llvm::raw_string_ostream os(location);
            os << diag.getLocation();
            message = location + ": " + diag.str();
          }
          return mlir::success();
        }) {}
  llvm::Error take(llvm::StringRef fallback) {
    return llvm::createStringError(message.empty() ? fallback.str() : message);
  }

private:
  std::string message;
  mlir::ScopedDiagnosticHandler handler;
};

llvm::Error compileModel(const CompileOptions &options, llvm::raw_ostream &out) {
  bool vulkan = options.target == "vulkan";
  if (!vulkan && options.hostTriple != "host")
    return llvm::createStringError("--host-triple is for --target vulkan (the CPU targets are their own host)");
  auto arch = resolveTargetArch(vulkan ? llvm::StringRef(options.hostTriple) : llvm::StringRef(options.target));
  if (!arch) {
    if (!vulkan) return arch.takeError();
    llvm::consumeError(arch.takeError());
    return llvm::createStringError("--host-triple '" + options.hostTriple +
                                   "': expected host, aarch64-linux-gnu or x86_64-linux-gnu");
  }
  std::string name = options.name.empty() ? defaultModelName(options.input) : options.name;
  if (name.empty() || llvm::isDigit(name[0]) || !llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return llvm::createStringError("--name '" + name + "' is not a C identifier");
  static const std::vector<std::string> kEmits = {"", "onnx", "mlir", "llvm", "asm", "spirv"};
  if (!llvm::is_contained(kEmits, options.emit))
    return llvm::createStringError("--emit '" + options.emit + "': expected onnx, mlir, llvm, asm or spirv");
  if (options.emit == "spirv" && !vulkan) return llvm::createStringError("--emit spirv needs --target vulkan");
  std::optional<CpuTargetConfig> config = getCpuTargetConfig(*arch, options.cpu);
  if (!options.features.empty()) {
    for (llvm::StringRef feature : llvm::split(options.features, ','))
      if (feature.size() < 2 || (feature[0] != '+' && feature[0] != '-'))
        return llvm::createStringError("--features '" + options.features + "': expected a comma-separated list like +dotprod,+i8mm");
    config->features += "," + options.features;
  }

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading(); // deterministic output, and a 2-core build machine
  FirstErrorHandler diagnostics(context);

  auto imported = importOnnxFile(context, options.input);
  if (!imported) return imported.takeError();
  ImportedInterface &interface = imported->interface;
  ModelIdentity identity;
  identity.name = name;
  identity.target = (vulkan ? "vulkan " : "") + config->triple + " " + config->cpu;
  mlir::ModuleOp module = imported->module.get();
  // The importer checks ONNX semantics; this catches anything it let through before a
  // pass could trip over it.
  if (mlir::failed(mlir::verify(module))) return diagnostics.take(options.input + ": imported IR is invalid");
  {
    mlir::PassManager cleanup(&context);
    buildImportCleanupPipeline(cleanup);
    if (mlir::failed(cleanup.run(module))) return diagnostics.take(options.input + ": cleanup after import failed");
  }
  if (options.pagedKV != "auto" && options.pagedKV != "off")
    return llvm::createStringError("--paged-kv '" + options.pagedKV + "': expected auto or off");
  if (options.pagedKV == "auto")
    if (llvm::Error error = compileForPagedKV(module, interface, [&] {
          llvm::Error error = diagnostics.take(options.input + ": the paged-attention rewrite failed");
          return llvm::createStringError(llvm::toString(std::move(error)) +
                                         " (--paged-kv off compiles the model with its past/present tensors)");
        }))
      return error;
  if (llvm::Error error = planQuantization(module, interface, options.quant, llvm::errs())) return error;
  if (options.emit == "onnx") {
    module.print(out);
    return llvm::Error::success();
  }

  mlir::Builder builder(&context);
  module->setAttr(kTargetAttr, builder.getStringAttr(*arch));
  if (!options.cpu.empty()) module->setAttr(kCpuAttr, builder.getStringAttr(options.cpu));
  auto configure = [&](mlir::PassManager &pm) {
    if (options.dumpAfter.empty()) return;
    auto wanted = options.dumpAfter;
    pm.enableIRPrinting([](mlir::Pass *, mlir::Operation *) { return false; },
                        [wanted](mlir::Pass *pass, mlir::Operation *) {
                          return llvm::is_contained(wanted, pass->getArgument().str());
                        },
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
                        /*printAfterOnlyOnFailure=*/false, llvm::errs());
  };
  mlir::PassManager front(&context);
  configure(front);
  buildFrontPipeline(front);
  if (vulkan) buildVulkanWeightLayoutPipeline(front);
  else buildCpuWeightLayoutPipeline(front);
  if (mlir::failed(front.run(module))) return diagnostics.take(options.input + ": compilation failed");
  // The front half chose each weight's stored layout; the packer writes exactly that.
  module.walk([&](WeightOp op) {
    for (WeightEntry &entry : interface.weights)
      if (entry.name == op.getName() && op.getPackN()) {
        entry.packN = *op.getPackN();
        entry.packFromNK = op.getPackFromNk();
        auto shape = mlir::cast<mlir::RankedTensorType>(op.getType()).getShape();
        entry.dims.assign(shape.begin(), shape.end());
      }
  });
  layOutQuantizedWeights(module, interface);

  bool writeArtifacts = options.emit.empty();
  std::string base;
  if (writeArtifacts) {
    if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir))
      return llvm::createStringError(options.outputDir + ": cannot create: " + ec.message());
    base = (llvm::Twine(options.outputDir) + "/").str();
    // The weights go before codegen: the code records their fingerprint.
    std::vector<WeightRecord> records = weightRecords(interface);
    ImportedWeightSource source(interface);
    auto fingerprint = writeWeightsFile(base + name + ".weights", records, interface.weightsDataSize, source);
    if (!fingerprint) return fingerprint.takeError();
    identity.weightsFingerprint = *fingerprint;
    for (auto [entry, record] : llvm::zip(interface.weights, records))
      entry.quantRelRmse = record.measured.relRmse, entry.quantMaxAbsError = record.measured.maxAbs;
    if (llvm::Error error = writeQuantReport(options.quant, interface)) return error;
  }

  mlir::PassManager back(&context);
  configure(back);
  if (vulkan) buildVulkanBackPipeline(back);
  else buildCpuBackPipeline(back);
  if (mlir::failed(back.run(module))) return diagnostics.take(options.input + ": compilation failed");
  SpirvProgram spirv;
  if (vulkan) {
    if (options.emit == "mlir") {
      module.print(out);
      return llvm::Error::success();
    }
    auto extracted = extractSpirvProgram(module);
    if (!extracted) return extracted.takeError();
    spirv = std::move(*extracted);
    if (options.emit == "spirv") return writeSpirvFiles(spirv, options.outputDir);
    mlir::PassManager host(&context);
    configure(host);
    buildVulkanHostPipeline(host);
    if (mlir::failed(host.run(module))) return diagnostics.take(options.input + ": compilation of the host code failed");
  }
  if (options.emit == "mlir") {
    module.print(out);
    return llvm::Error::success();
  }

  // The descriptor and NAME.h describe what the IR says the entry is (read before the
  // translation to LLVM IR, which drops the edge.* attributes).
  mlir::FailureOr<ModelInterface> modelInterface = getModelInterface(module);
  if (mlir::failed(modelInterface)) return diagnostics.take(options.input + ": the compiled module has no interface");
  auto machine = createTargetMachine(*config);
  if (!machine) return machine.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateToLLVMIR(module, llvmContext, **machine);
  if (!llvmModule) {
    llvm::consumeError(llvmModule.takeError());
    return diagnostics.take(options.input + ": translation to LLVM IR failed");
  }
  llvm::Constant *vulkanProgram = nullptr;
  if (vulkan) {
    auto program = emitVulkanProgram(**llvmModule, spirv, "__edge_" + name + ".");
    if (!program) return program.takeError();
    vulkanProgram = *program;
    bindDeviceAllocations(**llvmModule);
  }
  identity.weightsDataSize = interface.weightsDataSize;
  identity.weightsCount = interface.weights.size();
  if (llvm::Error error = emitModelDescriptor(**llvmModule, identity, *modelInterface, "main", vulkanProgram))
    return error;
  if (!vulkan)
    if (llvm::Error error = linkUkernels(**llvmModule, *arch, selectUkernelVariant(*arch, **machine))) return error;
  optimizeModule(**llvmModule, **machine);
  if (options.emit == "llvm") {
    (*llvmModule)->print(out, nullptr);
    return llvm::Error::success();
  }
  auto code = emitMachineCode(**llvmModule, **machine,
                              options.emit == "asm" ? EmitKind::Assembly : EmitKind::Object);
  if (!code) return code.takeError();
  if (options.emit == "asm") {
    out << *code;
    return llvm::Error::success();
  }

  if (llvm::Error error = writeStaticArchive(base + "lib" + name + ".a", name + ".o", *code)) return error;
  if (llvm::Error error =
          writeModelHeader(base + name + ".h", identity, *modelInterface, llvm::sys::path::filename(options.input)))
    return error;
  if (options.target == "host" || (vulkan && options.hostTriple == "host")) {
    llvm::SmallString<128> objectPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(name, "o", objectPath))
      return llvm::createStringError("cannot create a temporary file: " + ec.message());
    llvm::Error error = writeFileAtomically(objectPath, *code);
    if (!error) error = linkSharedLibrary(objectPath, base + "lib" + name + ".so");
    llvm::sys::fs::remove(objectPath);
    if (error) return error;
  }
  return llvm::Error::success();
}

} // namespace edge
