//===- SpirvPushConstants.cpp - the edge-spirv-push-constants pass --------===//
#include "codegen/spirv/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVTypes.h"

namespace edge {
#define GEN_PASS_DEF_SPIRVPUSHCONSTANTSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// The push-constant bytes every Vulkan implementation supports.
constexpr unsigned kMaxPushConstantBytes = 128;

/// The member type of a scalar argument's storage buffer (a one-member struct holding
/// a scalar), or null for anything else (arrays: the real buffers).
Type scalarMember(spirv::GlobalVariableOp var) {
  auto pointer = dyn_cast<spirv::PointerType>(var.getType());
  if (!pointer || pointer.getStorageClass() != spirv::StorageClass::StorageBuffer) return {};
  auto record = dyn_cast<spirv::StructType>(pointer.getPointeeType());
  if (!record || record.getNumElements() != 1) return {};
  Type member = record.getElementType(0);
  return member.isIntOrFloat() ? member : Type{};
}

struct SpirvPushConstantsPass : impl::SpirvPushConstantsPassBase<SpirvPushConstantsPass> {
  void runOnOperation() override {
    spirv::ModuleOp module = getOperation();
    SmallVector<std::pair<uint32_t, spirv::GlobalVariableOp>> scalars;
    for (auto var : module.getOps<spirv::GlobalVariableOp>()) {
      Type member = scalarMember(var);
      if (!member) continue;
      if (member.getIntOrFloatBitWidth() != 32) {
        var.emitError("a kernel scalar is not 32 bits wide: ") << member;
        return signalPassFailure();
      }
      std::optional<uint32_t> binding = var.getBinding();
      if (!binding) {
        var.emitError("a kernel scalar has no binding");
        return signalPassFailure();
      }
      scalars.push_back({*binding, var});
    }
    if (scalars.empty()) return;
    llvm::sort(scalars, [](auto &a, auto &b) { return a.first < b.first; });
    if (scalars.size() * 4 > kMaxPushConstantBytes) {
      module.emitError("a kernel needs ") << scalars.size() * 4 << " bytes of push constants, more than the "
                                          << kMaxPushConstantBytes << " every Vulkan device supports";
      return signalPassFailure();
    }

    SmallVector<Type> members;
    SmallVector<spirv::StructType::OffsetInfo> offsets;
    for (auto [i, entry] : llvm::enumerate(scalars)) {
      members.push_back(scalarMember(entry.second));
      offsets.push_back(static_cast<uint32_t>(4 * i));
    }
    auto block = spirv::PointerType::get(spirv::StructType::get(members, offsets), spirv::StorageClass::PushConstant);
    OpBuilder builder(scalars.front().second);
    std::string name = (scalars.front().second.getSymName().rsplit("_arg_").first + "_push_constants").str();
    auto pushConstants = spirv::GlobalVariableOp::create(builder, module.getLoc(), block, name);

    for (auto [i, entry] : llvm::enumerate(scalars)) {
      spirv::GlobalVariableOp var = entry.second;
      SmallVector<spirv::AddressOfOp> addresses;
      module.walk([&](spirv::AddressOfOp address) {
        if (address.getVariable() == var.getSymName()) addresses.push_back(address);
      });
      for (spirv::AddressOfOp address : addresses) {
        // Every use is `AccessChain %address[0]` followed by loads of the scalar.
        for (Operation *user : llvm::make_early_inc_range(address->getUsers())) {
          auto chain = dyn_cast<spirv::AccessChainOp>(user);
          if (!chain || chain.getIndices().size() != 1) {
            user->emitError("unexpected use of a kernel scalar's storage buffer");
            return signalPassFailure();
          }
          OpBuilder at(chain);
          Value base = spirv::AddressOfOp::create(at, chain.getLoc(), pushConstants);
          Value member = spirv::ConstantOp::create(at, chain.getLoc(), at.getI32Type(), at.getI32IntegerAttr(i));
          Value pointer = spirv::AccessChainOp::create(at, chain.getLoc(), base, ValueRange{member});
          for (Operation *load : llvm::make_early_inc_range(chain->getUsers())) {
            if (!isa<spirv::LoadOp>(load)) {
              load->emitError("a kernel scalar is used other than loaded");
              return signalPassFailure();
            }
            OpBuilder loadAt(load);
            load->getResult(0).replaceAllUsesWith(spirv::LoadOp::create(loadAt, load->getLoc(), pointer).getResult());
            load->erase();
          }
          chain.erase();
        }
        address.erase();
      }
      var.erase();
    }
  }
};

} // namespace
} // namespace edge
