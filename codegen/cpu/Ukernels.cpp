//===- Ukernels.cpp - ukernel variant selection and bitcode linking -------===//
#include "codegen/cpu/Ukernels.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

namespace edge {

/// The ukernels generated code may call, by C-interface name without the variant suffix.
static constexpr const char *kUkernels[] = {"_mlir_ciface_edge_uk_qmatmul", "_mlir_ciface_edge_uk_dequant_rows",
                                            "_mlir_ciface_edge_uk_panel_matmul"};

std::string selectUkernelVariant(llvm::StringRef arch, const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  for (size_t i = 0; i < kUkernelBitcodeCount; ++i) {
    const UkernelBitcode &row = kUkernelBitcode[i];
    if (arch != row.arch) continue;
    llvm::StringRef features = row.features;
    if (features.empty() || (info && info->checkFeatures(features))) return row.variant;
  }
  return "generic";
}

int ukernelRowGroup(llvm::StringRef arch, llvm::StringRef variant) {
  for (size_t i = 0; i < kUkernelBitcodeCount; ++i)
    if (arch == kUkernelBitcode[i].arch && variant == kUkernelBitcode[i].variant) return kUkernelBitcode[i].rowGroup;
  return 1;
}

llvm::Error linkUkernels(llvm::Module &module, llvm::StringRef arch, llvm::StringRef variant) {
  // Point each call at the variant's definition by name, then let the linker bring it in.
  llvm::SmallVector<std::string> linked;
  for (const char *name : kUkernels)
    if (llvm::Function *declaration = module.getFunction(name)) {
      linked.push_back(std::string(name) + "_" + variant.str());
      declaration->setName(linked.back());
    }
  if (linked.empty()) return llvm::Error::success();

  const UkernelBitcode *bitcode = nullptr;
  for (size_t i = 0; i < kUkernelBitcodeCount; ++i)
    if (arch == kUkernelBitcode[i].arch && variant == kUkernelBitcode[i].variant) bitcode = &kUkernelBitcode[i];
  if (!bitcode) return llvm::createStringError("no ukernels built for " + arch + " " + variant);
  llvm::MemoryBufferRef buffer(llvm::StringRef(reinterpret_cast<const char *>(bitcode->data), bitcode->size),
                               "ukernels_" + arch.str() + "_" + variant.str());
  auto kernels = llvm::parseBitcodeFile(buffer, module.getContext());
  if (!kernels) return kernels.takeError();
  (*kernels)->setTargetTriple(module.getTargetTriple());
  (*kernels)->setDataLayout(module.getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(*kernels), llvm::Linker::LinkOnlyNeeded))
    return llvm::createStringError("linking the " + variant + " ukernels failed");
  for (const std::string &name : linked) {
    llvm::Function *kernel = module.getFunction(name);
    if (!kernel || kernel->isDeclaration())
      return llvm::createStringError("the " + variant + " ukernels do not define " + name);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return llvm::Error::success();
}

} // namespace edge
