//===- Compile.cpp - one compile, as named phases ---------------------------===//
//
//   import → front → weights → back → emit
//
// import:  ONNX → onnx dialect (with edge.model), cleanup, the causal-LM rewrite
//          (--paged-kv auto) and quantization planning (--quant);   --emit onnx stops here
// front:   the target-independent pipeline, then the target's weight layout
// weights: NAME.weights in exactly the layout the IR states
// back:    the target's lowering (Vulkan: kernels to SPIR-V, then the host code);
//                                                                 --emit mlir / spirv stop here
// emit:    LLVM IR with the descriptor derived from edge.model, ukernels linked,
//          optimized, machine code, the artifacts;               --emit llvm / asm stop here
//
// Each phase runs its pipelines from compiler/pipelines or codegen/<target>; --dump-after
// applies to every pass of every phase, and --timings times each phase (and its passes)
// with MLIR's timing manager, printed as a tree on stderr when the compile ends.
//
//===----------------------------------------------------------------------===//
#include "tools/edgec/Compile.h"

#include "codegen/artifacts/Artifacts.h"
#include "codegen/cpu/ModelDescriptor.h"
#include "codegen/cpu/ObjectEmitter.h"
#include "codegen/cpu/Pipelines.h"
#include "codegen/cpu/TargetConfig.h"
#include "codegen/cpu/Ukernels.h"
#include "edge/weights_format.h"
#include "codegen/spirv/Pipelines.h"
#include "codegen/spirv/SpirvProgram.h"
#include "compiler/import/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "dialects/edge/IR/EdgeAttributes.h"
#include "dialects/edge/IR/EdgeDialect.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "tools/edgec/Quantize.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/Timing.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Threading.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

namespace edge {

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

/// The weights file as the IR lays it out: one record per weight the module still reads,
/// its stored form from its edge.weight ops (edge-lay-out-weights placed them), its
/// source the importer's entry of that name (`sources`, parallel to the records).
static llvm::Expected<std::vector<WeightRecord>> weightRecords(mlir::ModuleOp module, const ImportedWeights &weights,
                                                               std::vector<const WeightEntry *> &sources) {
  WeightsByName ops = collectWeightsByName(module);
  std::vector<WeightRecord> records;
  for (const WeightEntry &entry : weights.entries) {
    auto found = ops.ops.find(entry.name);
    if (found == ops.ops.end()) continue; // nothing reads it any more
    WeightOp op = found->second.front();
    WeightRecord record;
    record.name = entry.name;
    record.dtype = entry.dtype;
    record.dims = entry.dims;
    record.offset = static_cast<uint64_t>(op.getOffset());
    record.sourceBytes = entry.source.byteSize;
    record.prequantized = entry.nbitsScales || entry.dqScales;
    if (record.prequantized) { // already the stored blocks, laid out by the importer
      record.quantDtype = entry.quantDtype;
      if (op.getQuant() && edge_weights_is_x4(weightFormatDtype(*op.getQuant()))) // rows interleaved by the writer
        record.dtype = record.quantDtype = edge_weights_x4_dtype(entry.quantDtype);
      record.quantBlock = entry.quantBlock;
      record.quantFromKN = entry.quantFromKN;
    } else if (op.getQuant()) { // N rows of K values, from [K, N] or [N, K]
      record.quantDtype = weightFormatDtype(*op.getQuant());
      record.quantBlock = *op.getQuantBlock();
      record.quantFromKN = op.getQuantFromKn();
      if (entry.dims.size() != 2 || !record.quantDtype || record.quantBlock <= 0)
        return llvm::createStringError("weight '" + entry.name + "' is marked quantized but is not a 2-D matrix");
      int64_t rows = entry.dims[record.quantFromKN ? 1 : 0], k = entry.dims[record.quantFromKN ? 0 : 1];
      record.dtype = record.quantDtype;
      record.dims = {rows, k / record.quantBlock, record.quantBlock};
    } else if (op.getPackN()) { // [N / P, K, P] panels, as the op's type says
      record.packN = *op.getPackN();
      record.packFromNK = op.getPackFromNk();
      auto shape = mlir::cast<mlir::RankedTensorType>(op.getType()).getShape();
      record.dims.assign(shape.begin(), shape.end());
    }
    records.push_back(std::move(record));
    sources.push_back(&entry);
  }
  return records;
}

/// The weights writer reads the importer's sources through this.
class ImportedWeightSource : public WeightSource {
public:
  explicit ImportedWeightSource(const std::vector<const WeightEntry *> &entries) : entries(entries) {}
  llvm::Error stream(size_t index, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume,
                     QuantizationError *measured) override {
    return streamWeightSource(*entries[index], consume, &measured->relRmse, &measured->maxAbs);
  }

private:
  const std::vector<const WeightEntry *> &entries;
};

/// A progress line for the weights on a terminal ("tensors done/total, MB, MB/s"),
/// redrawn at most ten times a second and cleared at the end; nothing when stderr is not
/// a terminal.
class WeightsProgress {
public:
  WeightsProgress() : shown(llvm::errs().is_displayed()), start(std::chrono::steady_clock::now()) {}
  ~WeightsProgress() {
    if (drawn) llvm::errs() << "\r\x1b[K";
  }
  std::function<void(size_t, size_t, uint64_t)> callback() {
    if (!shown) return nullptr;
    return [this](size_t done, size_t total, uint64_t bytes) {
      auto now = std::chrono::steady_clock::now();
      if (done != total && now - last < std::chrono::milliseconds(100)) return;
      last = now;
      double seconds = std::chrono::duration<double>(now - start).count();
      double megabytes = static_cast<double>(bytes) / 1e6;
      llvm::errs() << llvm::format("\redgec: weights: %zu/%zu tensors, %.0f MB, %.0f MB/s\x1b[K", done, total,
                                   megabytes, seconds > 0 ? megabytes / seconds : 0.0);
      drawn = true;
    };
  }

private:
  const bool shown;
  bool drawn = false;
  std::chrono::steady_clock::time_point start, last;
};

/// Collects the first error diagnostic as one line ("loc: message") and prints remarks as
/// notes.
class FirstErrorHandler {
public:
  explicit FirstErrorHandler(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diag) {
          // Remarks are notes for the user (a weight that stays f32), printed as they come.
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Remark)
            llvm::errs() << "edgec: note: " << diag.str() << "\n";
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Warning)
            llvm::errs() << "edgec: warning: " << diag.str() << "\n";
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

namespace {

/// The state one compile carries from phase to phase.
class Compilation {
public:
  Compilation(const CompileOptions &options, llvm::raw_ostream &out)
      : options(options), out(out), vulkan(options.target == Target::Vulkan), context(makeRegistry()),
        diagnostics(context), jobs(llvm::hardware_concurrency(options.jobs).compute_thread_count()) {
    context.disableMultithreading(); // deterministic pass order and diagnostics
    timing.setEnabled(options.timings);
    timing.setDisplayMode(mlir::DefaultTimingManager::DisplayMode::Tree);
    root = timing.getRootScope();
  }

  llvm::Error run() {
    if (llvm::Error error = configureTarget()) return error;
    if (llvm::Error error = timed("import", &Compilation::importPhase)) return error;
    if (options.emit == Emit::Onnx) return print();
    if (llvm::Error error = timed("front", &Compilation::frontPhase)) return error;
    if (llvm::Error error = weightsPhase()) return error;
    // The weights are written while the code compiles; the code records their fingerprint.
    llvm::Error back = timed("back", &Compilation::backPhase);
    llvm::Error written = finishWeights();
    if (back) {
      llvm::consumeError(std::move(written));
      return back;
    }
    if (written) return written;
    if (options.emit == Emit::Mlir) return print();
    if (options.emit == Emit::Spirv) return llvm::Error::success();
    return timed("emit", &Compilation::emitPhase);
  }

private:
  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    return registry;
  }

  llvm::Error print() {
    module().print(out);
    return llvm::Error::success();
  }

  mlir::ModuleOp module() { return imported->module.get(); }

  /// Runs `phase` inside a timer named `name` (its passes and steps nest under it).
  llvm::Error timed(llvm::StringRef name, llvm::Error (Compilation::*phase)()) {
    mlir::TimingScope scope = root.nest(name);
    std::swap(current, scope);
    llvm::Error error = (this->*phase)();
    std::swap(current, scope);
    return error;
  }

  /// A timer for one step of the current phase.
  mlir::TimingScope step(llvm::StringRef name) { return current.nest(name); }

  /// Runs `build`'s pipeline on the module; `what` names the step in the error.
  llvm::Error runPipeline(llvm::function_ref<void(mlir::OpPassManager &)> build, llvm::StringRef what) {
    mlir::PassManager pm(&context);
    if (!options.dumpAfter.empty()) {
      auto wanted = options.dumpAfter;
      pm.enableIRPrinting([](mlir::Pass *, mlir::Operation *) { return false; },
                          [wanted](mlir::Pass *pass, mlir::Operation *) {
                            return llvm::is_contained(wanted, pass->getArgument().str());
                          },
                          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
                          /*printAfterOnlyOnFailure=*/false, llvm::errs());
    }
    build(pm);
    if (options.timings) pm.enableTiming(current);
    if (mlir::failed(pm.run(module()))) return diagnostics.take((options.input + ": " + what).str());
    return llvm::Error::success();
  }

  llvm::Error configureTarget() {
    auto resolved = cpuTarget(vulkan ? options.hostTriple : options.target);
    if (!resolved) return resolved.takeError();
    arch = resolved->arch;
    config = getCpuTargetConfig(arch, options.cpu);
    if (!resolved->triple.empty()) config->triple = resolved->triple;
    if (llvm::Error error = checkCpuAndFeatures(*config, options.features)) return error;
    if (!options.features.empty()) config->features += "," + options.features;
    identity.name = options.name;
    identity.target = (vulkan ? "vulkan " : "") + config->triple + " " + config->cpu;
    return llvm::Error::success();
  }

  llvm::Error importPhase() {
    mlir::TimingScope reading = step("ONNX to IR");
    auto result = importOnnxFile(context, options.input);
    if (!result) return result.takeError();
    imported = std::move(*result);
    reading.stop();
    // The importer checks ONNX semantics; this catches anything it let through before a
    // pass could trip over it.
    if (mlir::failed(mlir::verify(module()))) return diagnostics.take(options.input + ": imported IR is invalid");
    if (llvm::Error error = runPipeline(buildImportCleanupPipeline, "cleanup after import failed")) return error;
    if (options.pagedKV == PagedKV::Auto)
      if (llvm::Error error = runPipeline(buildCausalLMPipeline, "the paged-attention rewrite failed"))
        return llvm::createStringError(llvm::toString(std::move(error)) +
                                       " (--paged-kv off compiles the model with its past/present tensors)");
    if (llvm::Error error = runPipeline(
            [&](mlir::OpPassManager &pm) {
              buildQuantizationPlanPipeline(pm, planOptions(options.quant), measureQ4Error(imported->weights));
            },
            "quantization planning failed"))
      return error;
    quantNotes = collectQuantNotes(module());
    return llvm::Error::success();
  }

  llvm::Error frontPhase() {
    mlir::Builder builder(&context);
    module()->setAttr(kTargetAttr, builder.getStringAttr(arch));
    if (!options.cpu.empty()) module()->setAttr(kCpuAttr, builder.getStringAttr(options.cpu));
    if (!vulkan) { // the weight layout follows the ukernel variant the target will link
      auto machine = createTargetMachine(*config);
      if (!machine) return machine.takeError();
      int rows = ukernelRowGroup(arch, selectUkernelVariant(arch, **machine));
      module()->setAttr(kUkernelRowGroupAttr, builder.getI64IntegerAttr(rows));
    }
    if (llvm::Error error = runPipeline(
            [&](mlir::OpPassManager &pm) {
              buildFrontPipeline(pm);
              if (vulkan) buildVulkanWeightLayoutPipeline(pm);
              else buildCpuWeightLayoutPipeline(pm);
            },
            "compilation failed"))
      return error;
    return llvm::Error::success();
  }

  /// NAME.weights as the IR lays it out: the records are read off the IR here, then the
  /// file is written on its own threads, from the importer's sources only, while the back
  /// phase compiles (finishWeights waits for it). Timed as "weights" until written.
  llvm::Error weightsPhase() {
    mlir::TimingScope scope = root.nest("weights");
    auto size = module()->getAttrOfType<mlir::IntegerAttr>(kWeightsSizeAttr);
    if (!size) return llvm::createStringError(options.input + ": the weights were not laid out");
    auto writing = std::make_unique<WeightsWriting>();
    auto records = weightRecords(module(), imported->weights, writing->sources);
    if (!records) return records.takeError();
    identity.weightsDataSize = static_cast<uint64_t>(size.getInt());
    identity.weightsCount = records->size();
    if (options.emit != Emit::Artifacts) return llvm::Error::success();
    if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir))
      return llvm::createStringError(options.outputDir + ": cannot create: " + ec.message());
    base = (llvm::Twine(options.outputDir) + "/").str();
    writing->records = std::move(*records);
    writing->thread = std::thread([this, state = writing.get(), scope = std::move(scope)]() mutable {
      ImportedWeightSource source(state->sources);
      WeightsWriteOptions write;
      write.jobs = jobs;
      write.progress = state->progress.callback();
      auto fingerprint =
          writeWeightsFile(base + options.name + ".weights", state->records, identity.weightsDataSize, source, write);
      if (fingerprint) state->fingerprint = *fingerprint;
      else state->error = llvm::toString(fingerprint.takeError());
      scope.stop();
    });
    pendingWeights = std::move(writing);
    return llvm::Error::success();
  }

  /// Waits for NAME.weights (if it is being written), then writes the quantization report.
  llvm::Error finishWeights() {
    if (!pendingWeights) return llvm::Error::success();
    std::unique_ptr<WeightsWriting> writing = std::move(pendingWeights);
    writing->thread.join();
    if (!writing->fingerprint) return llvm::createStringError(writing->error);
    identity.weightsFingerprint = *writing->fingerprint;
    return writeQuantReport(options.quant, writing->records, quantNotes);
  }

  llvm::Error backPhase() {
    if (!vulkan) return runPipeline(buildCpuBackPipeline, "compilation failed");
    if (llvm::Error error = runPipeline(buildVulkanBackPipeline, "compilation failed")) return error;
    if (options.emit == Emit::Mlir) return llvm::Error::success(); // with the kernels
    auto extracted = extractSpirvProgram(module());
    if (!extracted) return extracted.takeError();
    spirv = std::move(*extracted);
    if (options.emit == Emit::Spirv) return writeSpirvFiles(spirv, options.outputDir);
    return runPipeline(buildVulkanHostPipeline, "compilation of the host code failed");
  }

  llvm::Error emitPhase() {
    // The descriptor and NAME.h describe what the IR says the entry is (read before the
    // translation to LLVM IR, which drops the edge.* attributes).
    mlir::FailureOr<ModelInterface> interface = getModelInterface(module());
    if (mlir::failed(interface)) return diagnostics.take(options.input + ": the compiled module has no interface");
    auto machine = createTargetMachine(*config);
    if (!machine) return machine.takeError();
    llvm::LLVMContext llvmContext;
    mlir::TimingScope translating = step("translate to LLVM IR");
    auto llvmModule = translateToLLVMIR(module(), llvmContext, **machine);
    if (!llvmModule) {
      llvm::consumeError(llvmModule.takeError());
      return diagnostics.take(options.input + ": translation to LLVM IR failed");
    }
    llvm::Constant *vulkanProgram = nullptr;
    if (vulkan) {
      auto program = emitVulkanProgram(**llvmModule, spirv, "__edge_" + options.name + ".");
      if (!program) return program.takeError();
      vulkanProgram = *program;
    }
    if (llvm::Error error = emitModelDescriptor(**llvmModule, identity, *interface, "main", vulkanProgram))
      return error;
    if (!vulkan)
      if (llvm::Error error = linkUkernels(**llvmModule, arch, selectUkernelVariant(arch, **machine))) return error;
    translating.stop();
    mlir::TimingScope optimizing = step("LLVM optimization");
    optimizeModule(**llvmModule, **machine);
    optimizing.stop();
    if (options.emit == Emit::Llvm) {
      (*llvmModule)->print(out, nullptr);
      return llvm::Error::success();
    }
    mlir::TimingScope generating = step("LLVM code generation");
    auto code = emitMachineCode(**llvmModule, **machine,
                                options.emit == Emit::Asm ? EmitKind::Assembly : EmitKind::Object);
    if (!code) return code.takeError();
    generating.stop();
    if (options.emit == Emit::Asm) {
      out << *code;
      return llvm::Error::success();
    }
    mlir::TimingScope writing = step("library and header");
    return writeArtifacts(*code, *interface);
  }

  llvm::Error writeArtifacts(llvm::StringRef code, const ModelInterface &interface) {
    const std::string &name = options.name;
    // Apple's linker reads Mach-O objects from BSD-layout archives.
    bool darwin = llvm::Triple(config->triple).isOSBinFormatMachO();
    if (llvm::Error error = writeStaticArchive(base + "lib" + name + ".a", name + ".o", code, darwin)) return error;
    if (llvm::Error error =
            writeModelHeader(base + name + ".h", identity, interface, llvm::sys::path::filename(options.input)))
      return error;
    // The host's own library also comes as libNAME.so (for dlopen-style uses and edgec run).
    if ((vulkan ? options.hostTriple : options.target) != Target::Host) return llvm::Error::success();
    llvm::SmallString<128> objectPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(name, "o", objectPath))
      return llvm::createStringError("cannot create a temporary file: " + ec.message());
    llvm::Error error = writeFileAtomically(objectPath, code);
    if (!error) error = linkSharedLibrary(objectPath, base + "lib" + name + ".so");
    llvm::sys::fs::remove(objectPath);
    return error;
  }

  const CompileOptions &options;
  llvm::raw_ostream &out;
  const bool vulkan;
  mlir::MLIRContext context;
  FirstErrorHandler diagnostics;
  std::optional<ImportedModel> imported;
  std::string arch;
  std::optional<CpuTargetConfig> config;
  ModelIdentity identity;
  llvm::StringMap<std::string> quantNotes; ///< why each kept weight stays f32 (the report's)
  std::string base; ///< "OUT/" when artifacts are written
  SpirvProgram spirv;
  const unsigned jobs; ///< threads for the weights and the code generator
  /// NAME.weights while its thread writes it (between weightsPhase and finishWeights).
  struct WeightsWriting {
    std::vector<WeightRecord> records;
    std::vector<const WeightEntry *> sources;
    WeightsProgress progress;
    std::thread thread;
    std::optional<uint64_t> fingerprint;
    std::string error;
    ~WeightsWriting() {
      if (thread.joinable()) thread.join();
    }
  };
  std::unique_ptr<WeightsWriting> pendingWeights;
  // Declared last: destroyed first, printing the --timings report before the rest goes.
  mlir::DefaultTimingManager timing;
  mlir::TimingScope root, current;
};

} // namespace

llvm::Error compileModel(const CompileOptions &options, llvm::raw_ostream &out) {
  return Compilation(options, out).run();
}

} // namespace edge
