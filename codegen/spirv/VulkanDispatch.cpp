//===- VulkanDispatch.cpp - the edge-vulkan-dispatch pass -----------------===//
#include "codegen/spirv/Passes.h"

#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/IR/SymbolTable.h"

namespace edge {
#define GEN_PASS_DEF_VULKANDISPATCHPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

constexpr llvm::StringLiteral kDispatchFunction = "edge_vk_dispatch";

/// Vulkan 1.1 guarantees SPIR-V 1.3; Int64 serves i64 tensors (token ids), a feature
/// the runtime checks before it creates pipelines.
spirv::TargetEnvAttr vulkanTargetEnv(MLIRContext *context) {
  auto triple = spirv::VerCapExtAttr::get(spirv::Version::V_1_3, {spirv::Capability::Shader, spirv::Capability::Int64},
                                          {spirv::Extension::SPV_KHR_storage_buffer_storage_class}, context);
  return spirv::TargetEnvAttr::get(triple, spirv::getDefaultResourceLimits(context), spirv::ClientAPI::Vulkan);
}

bool isFlatBuffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getRank() == 1 && memref.getLayout().isIdentity() &&
         memref.getElementType().isIntOrFloat() && memref.getElementTypeBitWidth() >= 8;
}

bool isPushConstant(Type type) {
  return type.isIndex() || (type.isIntOrFloat() && type.getIntOrFloatBitWidth() <= 32);
}

/// Push constants are 32-bit: a 64-bit integer argument (a token id, a position) comes in
/// as i32 and is sign-extended in the kernel; the runtime refuses values that do not fit.
void narrowI64Arguments(gpu::GPUFuncOp kernel) {
  Block &entry = kernel.getBody().front();
  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  SmallVector<Type> inputs(kernel.getArgumentTypes());
  for (auto [i, type] : llvm::enumerate(inputs)) {
    if (!type.isInteger(64)) continue;
    BlockArgument argument = entry.getArgument(i);
    argument.setType(builder.getI32Type());
    auto wide = arith::ExtSIOp::create(builder, kernel.getLoc(), builder.getI64Type(), argument);
    argument.replaceAllUsesExcept(wide, wide);
    type = builder.getI32Type();
  }
  kernel.setFunctionType(builder.getFunctionType(inputs, {}));
}

/// Adds `offset` to every index into the flat buffer `buffer` inside the kernel.
void offsetIndices(BlockArgument buffer, BlockArgument offset) {
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers())) {
    OpBuilder builder(user);
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      Value index = arith::AddIOp::create(builder, user->getLoc(), load.getIndices()[0], offset);
      load.getIndicesMutable()[0].assign(index);
    } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
      Value index = arith::AddIOp::create(builder, user->getLoc(), store.getIndices()[0], offset);
      store.getIndicesMutable()[0].assign(index);
    }
  }
}

/// Widens a scalar kernel operand to the i64 the dispatch call passes.
Value toI64(OpBuilder &builder, Location loc, Value value) {
  Type i64 = builder.getI64Type(), type = value.getType();
  if (type.isIndex()) return arith::IndexCastOp::create(builder, loc, i64, value);
  if (auto floatType = dyn_cast<FloatType>(type)) {
    Type bits = builder.getIntegerType(floatType.getWidth());
    return arith::ExtUIOp::create(builder, loc, i64, arith::BitcastOp::create(builder, loc, bits, value));
  }
  if (type.getIntOrFloatBitWidth() == 64) return value;
  return arith::ExtSIOp::create(builder, loc, i64, value);
}

/// Stores `values` (i64) into a stack array and returns it as memref<?xi64>.
Value stackArray(OpBuilder &builder, Location loc, ArrayRef<Value> values) {
  auto type = MemRefType::get({static_cast<int64_t>(values.size())}, builder.getI64Type());
  Value array = memref::AllocaOp::create(builder, loc, type);
  for (auto [i, value] : llvm::enumerate(values))
    memref::StoreOp::create(builder, loc, value, array, ValueRange{arith::ConstantIndexOp::create(builder, loc, i)});
  return memref::CastOp::create(builder, loc, MemRefType::get({ShapedType::kDynamic}, builder.getI64Type()), array);
}

LogicalResult lowerLaunch(gpu::LaunchFuncOp launch, int32_t kernelIndex, func::FuncOp dispatch) {
  auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(launch, launch.getKernel());
  if (!kernel || kernel->hasAttr("edge.kernel_index"))
    return launch.emitError("each launch needs a kernel of its own (run gpu-kernel-outlining first)");
  MLIRContext *context = launch.getContext();
  SmallVector<int32_t> workgroup;
  for (Value size : {launch.getBlockSizeX(), launch.getBlockSizeY(), launch.getBlockSizeZ()}) {
    std::optional<int64_t> value = getConstantIntValue(size);
    if (!value) return launch.emitError("a kernel's workgroup size must be static");
    workgroup.push_back(static_cast<int32_t>(*value));
  }

  narrowI64Arguments(kernel);
  // Buffers first (bindings 0..B-1), then one binding offset per buffer, then scalars:
  // the order of the push constants.
  SmallVector<unsigned> buffers, scalars;
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    if (isFlatBuffer(type)) buffers.push_back(i);
    else if (isPushConstant(type)) scalars.push_back(i);
    else return kernel.emitError("kernel argument ") << i << " has a type Vulkan dispatch cannot pass: " << type;
  }
  SmallVector<int32_t> bindingBytes;
  unsigned numArgs = kernel.getNumArguments();
  for (auto [b, i] : llvm::enumerate(buffers)) {
    if (failed(kernel.insertArgument(kernel.getNumArguments(), IndexType::get(context), {}, kernel.getLoc())))
      return kernel.emitError("cannot add a binding offset argument");
    offsetIndices(kernel.getArgument(i), kernel.getArgument(kernel.getNumArguments() - 1));
    bindingBytes.push_back(cast<MemRefType>(kernel.getArgument(i).getType()).getElementTypeBitWidth() / 8);
    kernel.setArgAttr(i, spirv::getInterfaceVarABIAttrName(), spirv::getInterfaceVarABIAttr(0, b, std::nullopt, context));
  }
  // Scalars go through the SPIR-V lowering as one-member storage buffers (bindings after
  // the buffers'), which edge-spirv-push-constants then turns into push constants.
  unsigned binding = buffers.size();
  auto setScalarABI = [&](unsigned i) {
    kernel.setArgAttr(i, spirv::getInterfaceVarABIAttrName(),
                      spirv::getInterfaceVarABIAttr(0, binding++, spirv::StorageClass::StorageBuffer, context));
  };
  for (unsigned i = numArgs; i < kernel.getNumArguments(); ++i) setScalarABI(i);
  for (unsigned i : scalars) setScalarABI(i);

  Builder attrs(context);
  kernel->setAttr(spirv::getEntryPointABIAttrName(), spirv::getEntryPointABIAttr(context, workgroup));
  kernel->setAttr("edge.kernel_index", attrs.getI32IntegerAttr(kernelIndex));
  kernel->setAttr("edge.binding_bytes", attrs.getDenseI32ArrayAttr(bindingBytes));
  kernel->setAttr("edge.push_constants", attrs.getI32IntegerAttr(buffers.size() + scalars.size()));
  kernel->getParentOfType<gpu::GPUModuleOp>()->setAttr(spirv::getTargetEnvAttrName(), vulkanTargetEnv(context));

  OpBuilder builder(launch);
  Location loc = launch.getLoc();
  SmallVector<Value> addresses, values;
  ValueRange operands = launch.getKernelOperands();
  for (unsigned i : buffers) {
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, operands[i]);
    addresses.push_back(toI64(builder, loc, address));
  }
  for (unsigned i : scalars) values.push_back(toI64(builder, loc, operands[i]));
  Value index = arith::ConstantIntOp::create(builder, loc, builder.getI32Type(), kernelIndex);
  func::CallOp::create(builder, loc, dispatch,
                       ValueRange{index, launch.getGridSizeX(), launch.getGridSizeY(), launch.getGridSizeZ(),
                                  stackArray(builder, loc, addresses), stackArray(builder, loc, values)});
  launch.erase();
  return success();
}

struct VulkanDispatchPass : impl::VulkanDispatchPassBase<VulkanDispatchPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchFuncOp> launches;
    WalkResult walk = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::GPUModuleOp>(op)) return WalkResult::skip();
      if (isa<memref::LoadOp, memref::StoreOp, memref::CopyOp>(op)) {
        op->emitError("host code reads or writes a device buffer (only kernels may): ") << op->getName();
        return WalkResult::interrupt();
      }
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) launches.push_back(launch);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted()) return signalPassFailure();
    if (launches.empty()) return;

    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    Type index = builder.getIndexType();
    auto array = MemRefType::get({ShapedType::kDynamic}, builder.getI64Type());
    auto dispatch = func::FuncOp::create(builder, module.getLoc(), kDispatchFunction,
                                         builder.getFunctionType({builder.getI32Type(), index, index, index, array, array}, {}));
    dispatch.setPrivate();
    dispatch->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    for (auto [i, launch] : llvm::enumerate(launches))
      if (failed(lowerLaunch(launch, static_cast<int32_t>(i), dispatch))) return signalPassFailure();
  }
};

} // namespace
} // namespace edge
