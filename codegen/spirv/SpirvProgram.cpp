//===- SpirvProgram.cpp - SPIR-V kernels and the dispatch manifest --------===//
//
// The manifest mirrors edge_vk_program_t / edge_vk_kernel_t / edge_vk_constant_t of
// runtime/include/edge/model_abi.h field by field; change both together.
//
//===----------------------------------------------------------------------===//
#include "codegen/spirv/SpirvProgram.h"
#include "edge/codegen_abi.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Target/SPIRV/Serialization.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace edge {

namespace {

llvm::Expected<SpirvKernel> describeKernel(mlir::spirv::ModuleOp spirvModule, int32_t &index) {
  mlir::spirv::FuncOp entry;
  for (auto func : spirvModule.getOps<mlir::spirv::FuncOp>())
    if (func->hasAttr("edge.kernel_index")) entry = func;
  if (!entry) return llvm::createStringError("a SPIR-V module has no kernel entry point");
  SpirvKernel kernel;
  kernel.entryPoint = entry.getSymName().str();
  index = mlir::cast<mlir::IntegerAttr>(entry->getAttr("edge.kernel_index")).getInt();
  for (int32_t bytes : mlir::cast<mlir::DenseI32ArrayAttr>(entry->getAttr("edge.binding_bytes")).asArrayRef())
    kernel.bindingBytes.push_back(static_cast<uint32_t>(bytes));
  kernel.pushConstants = mlir::cast<mlir::IntegerAttr>(entry->getAttr("edge.push_constants")).getInt();
  for (llvm::StringRef name : {"edge.kernel_index", "edge.binding_bytes", "edge.push_constants"})
    entry->removeAttr(name);
  for (auto mode : spirvModule.getOps<mlir::spirv::ExecutionModeOp>())
    if (mode.getExecutionMode() == mlir::spirv::ExecutionMode::LocalSize)
      for (auto [i, value] : llvm::enumerate(mode.getValues().getAsValueRange<mlir::IntegerAttr>()))
        if (i < 3) kernel.workgroupSize[i] = static_cast<uint32_t>(value.getZExtValue());
  if (std::optional<mlir::spirv::VerCapExtAttr> triple = spirvModule.getVceTriple())
    kernel.usesInt64 = llvm::is_contained(triple->getCapabilities(), mlir::spirv::Capability::Int64);
  llvm::SmallVector<uint32_t, 0> words;
  if (mlir::failed(mlir::spirv::serialize(spirvModule, words)))
    return llvm::createStringError("kernel " + kernel.entryPoint + ": SPIR-V serialization failed");
  kernel.words.assign(words.begin(), words.end());
  return kernel;
}

} // namespace

llvm::Expected<SpirvProgram> extractSpirvProgram(mlir::ModuleOp module) {
  std::map<int32_t, SpirvKernel> byIndex;
  llvm::SmallVector<mlir::Operation *> erase;
  for (auto spirvModule : module.getOps<mlir::spirv::ModuleOp>()) {
    int32_t index = -1;
    auto kernel = describeKernel(spirvModule, index);
    if (!kernel) return kernel.takeError();
    if (!byIndex.emplace(index, std::move(*kernel)).second)
      return llvm::createStringError("two SPIR-V kernels share index " + llvm::Twine(index));
    erase.push_back(spirvModule);
  }
  for (auto gpuModule : module.getOps<mlir::gpu::GPUModuleOp>()) erase.push_back(gpuModule);

  SpirvProgram program;
  for (auto &[index, kernel] : byIndex) {
    if (index != static_cast<int32_t>(program.kernels.size()))
      return llvm::createStringError("SPIR-V kernel " + llvm::Twine(program.kernels.size()) + " is missing");
    program.kernels.push_back(std::move(kernel));
  }
  for (mlir::Operation *op : erase) op->erase();
  module->removeAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName());

  llvm::StringSet<> seen;
  module.walk([&](mlir::memref::GetGlobalOp get) {
    auto global = mlir::SymbolTable::lookupNearestSymbolFrom<mlir::memref::GlobalOp>(get, get.getNameAttr());
    if (!global || !global.getConstant() || !seen.insert(global.getSymName()).second) return;
    mlir::MemRefType type = global.getType();
    program.constants.push_back(
        {global.getSymName().str(), static_cast<uint64_t>(type.getNumElements()) * type.getElementTypeBitWidth() / 8});
  });
  return program;
}

llvm::Error writeSpirvFiles(const SpirvProgram &program, llvm::StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(dir + ": cannot create: " + ec.message());
  for (auto [i, kernel] : llvm::enumerate(program.kernels)) {
    std::string path = (dir + "/" + llvm::Twine(i) + "_" + kernel.entryPoint + ".spv").str();
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec) return llvm::createStringError(path + ": cannot write: " + ec.message());
    os.write(reinterpret_cast<const char *>(kernel.words.data()), kernel.words.size() * sizeof(uint32_t));
  }
  return llvm::Error::success();
}

llvm::Expected<llvm::Constant *> emitVulkanProgram(llvm::Module &module, const SpirvProgram &program,
                                                   llvm::StringRef prefix) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(context), *i64 = llvm::Type::getInt64Ty(context);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(context);
  auto global = [&](llvm::Constant *init, const llvm::Twine &name, unsigned align = 0) -> llvm::Constant * {
    auto *var = new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                         llvm::GlobalValue::PrivateLinkage, init, prefix + name);
    if (align) var->setAlignment(llvm::Align(align));
    return var;
  };
  auto null = [&] { return llvm::ConstantPointerNull::get(ptr); };

  // edge_vk_kernel_t: { entry_point, spirv, spirv_words, num_bindings,
  //                     binding_element_bytes, num_push_constants, workgroup_size[3], reserved }
  auto *workgroupType = llvm::ArrayType::get(i32, 3);
  auto *kernelType = llvm::StructType::get(context, {ptr, ptr, i32, i32, ptr, i32, workgroupType, i32});
  std::vector<llvm::Constant *> kernels;
  uint32_t requiredFeatures = 0;
  for (auto [i, kernel] : llvm::enumerate(program.kernels)) {
    std::string tag = "vk.kernel." + std::to_string(i);
    llvm::Constant *words = global(llvm::ConstantDataArray::get(context, llvm::ArrayRef<uint32_t>(kernel.words)),
                                   tag + ".spirv", 4);
    llvm::Constant *bytes =
        kernel.bindingBytes.empty()
            ? null()
            : global(llvm::ConstantDataArray::get(context, llvm::ArrayRef<uint32_t>(kernel.bindingBytes)),
                     tag + ".binding_bytes");
    llvm::Constant *workgroup = llvm::ConstantDataArray::get(context, llvm::ArrayRef<uint32_t>(kernel.workgroupSize));
    kernels.push_back(llvm::ConstantStruct::get(
        kernelType, {global(llvm::ConstantDataArray::getString(context, kernel.entryPoint), tag + ".name"), words,
                     llvm::ConstantInt::get(i32, kernel.words.size()), llvm::ConstantInt::get(i32, kernel.bindingBytes.size()),
                     bytes, llvm::ConstantInt::get(i32, kernel.pushConstants), workgroup, llvm::ConstantInt::get(i32, 0)}));
    if (kernel.usesInt64) requiredFeatures |= 1u; // EDGE_VK_REQUIRES_INT64
  }

  // edge_vk_constant_t: { data, bytes }
  auto *constantType = llvm::StructType::get(context, {ptr, i64});
  std::vector<llvm::Constant *> constants;
  for (const SpirvConstant &constant : program.constants) {
    llvm::GlobalVariable *var = module.getNamedGlobal(constant.global);
    if (!var) return llvm::createStringError("constant " + constant.global + " is missing from the host code");
    constants.push_back(llvm::ConstantStruct::get(constantType, {var, llvm::ConstantInt::get(i64, constant.bytes)}));
  }

  // edge_vk_program_t: { num_kernels, num_constants, kernels, constants, required_features, reserved }
  auto *programType = llvm::StructType::get(context, {i32, i32, ptr, ptr, i32, i32});
  llvm::Constant *kernelArray =
      kernels.empty() ? null() : global(llvm::ConstantArray::get(llvm::ArrayType::get(kernelType, kernels.size()), kernels), "vk.kernels");
  llvm::Constant *constantArray =
      constants.empty() ? null()
                        : global(llvm::ConstantArray::get(llvm::ArrayType::get(constantType, constants.size()), constants),
                                 "vk.constants");
  return global(llvm::ConstantStruct::get(programType, {llvm::ConstantInt::get(i32, kernels.size()),
                                                        llvm::ConstantInt::get(i32, constants.size()), kernelArray,
                                                        constantArray, llvm::ConstantInt::get(i32, requiredFeatures),
                                                        llvm::ConstantInt::get(i32, 0)}),
                "vk.program");
}

} // namespace edge
