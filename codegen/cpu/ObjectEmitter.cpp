//===- ObjectEmitter.cpp - LLVM dialect → optimized object code -----------===//
#include "codegen/cpu/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

namespace edge {

static const llvm::Target *lookupTarget(const llvm::Triple &triple, std::string &error) {
  static const bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
  return llvm::TargetRegistry::lookupTarget(triple, error);
}

/// `name` or, when it is not among `known`, the closest of them.
template <typename Entries>
static std::string closestName(llvm::StringRef name, const Entries &known) {
  std::string best;
  unsigned bestDistance = ~0u;
  for (const auto &entry : known) {
    unsigned distance = name.edit_distance(entry.Key);
    if (distance < bestDistance) bestDistance = distance, best = entry.Key;
  }
  return best;
}

llvm::Error checkCpuAndFeatures(const CpuTargetConfig &config, llvm::StringRef userFeatures) {
  llvm::Triple triple(config.triple);
  std::string error;
  const llvm::Target *target = lookupTarget(triple, error);
  if (!target) return llvm::createStringError("target '" + config.triple + "': " + error);
  // A subtarget of the generic CPU lists what LLVM knows, without the warnings LLVM prints
  // (once per target machine) when it is handed a name it does not know.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(target->createMCSubtargetInfo(triple, "", ""));
  if (!generic) return llvm::createStringError("target '" + config.triple + "': no subtarget information");
  if (config.cpu != "native" && !generic->isCPUStringValid(config.cpu))
    return llvm::createStringError("--cpu '" + config.cpu + "' is not an " + config.arch +
                                   " CPU LLVM knows (closest: " +
                                   closestName(config.cpu, generic->getAllProcessorDescriptions()) + ")");
  for (llvm::StringRef feature : llvm::split(userFeatures, ',')) {
    if (feature.empty()) continue;
    llvm::StringRef name = feature.drop_front(); // without its + or -
    bool known = llvm::any_of(generic->getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; });
    if (!known)
      return llvm::createStringError("--features '" + feature + "' is not an " + config.arch +
                                     " feature LLVM knows (closest: " +
                                     closestName(name, generic->getAllProcessorFeatures()) + ")");
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const CpuTargetConfig &config) {
  llvm::Triple triple(config.triple);
  std::string error;
  const llvm::Target *target = lookupTarget(triple, error);
  if (!target) return llvm::createStringError("target '" + config.triple + "': " + error);
  std::string cpu = config.cpu, features = config.features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") + std::string(feature.getValue() ? "+" : "-") + feature.getKey().str();
  }
  llvm::TargetOptions options;
  options.MCOptions.ABIName = config.abi;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine) return llvm::createStringError("cannot create a target machine for '" + config.triple + "'");
  return machine;
}

llvm::Expected<std::unique_ptr<llvm::Module>> translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                                                                llvm::TargetMachine &machine) {
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  // edgec's own attributes (edge.target, edge.weights, ...) have served their purpose and
  // have no LLVM meaning.
  auto isEdgeAttr = [](mlir::NamedAttribute attr) { return attr.getName().getValue().starts_with("edge."); };
  for (mlir::NamedAttribute attr : llvm::to_vector(module->getDiscardableAttrs()))
    if (isEdgeAttr(attr)) module->removeDiscardableAttr(attr.getName());
  module.walk([&](mlir::FunctionOpInterface func) {
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      for (mlir::NamedAttribute attr : llvm::to_vector(func.getArgAttrs(i)))
        if (isEdgeAttr(attr)) func.removeArgAttr(i, attr.getName());
  });
  std::unique_ptr<llvm::Module> llvmModule = mlir::translateModuleToLLVMIR(module, context, "edge_model");
  if (!llvmModule) return llvm::createStringError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  return llvmModule;
}

void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, modules);
}

llvm::Expected<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine, EmitKind kind) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager passes;
  auto fileType = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(passes, out, nullptr, fileType))
    return llvm::createStringError("the target cannot emit this file type");
  passes.run(module);
  return std::string(buffer.begin(), buffer.end());
}

} // namespace edge
