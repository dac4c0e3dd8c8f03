//===- LinearizeKernelMemrefs.cpp - the edge-linearize-kernel-memrefs pass ===//
#include "codegen/spirv/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

namespace edge {
#define GEN_PASS_DEF_LINEARIZEKERNELMEMREFSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// Clones the constants a launch body uses into it, so they become kernel constants
/// instead of kernel arguments.
void sinkConstants(gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(body, captured);
  OpBuilder inside = OpBuilder::atBlockBegin(&body.front());
  for (Value value : captured) {
    Operation *def = value.getDefiningOp();
    if (!def || def->getNumResults() != 1 || !matchPattern(def, m_Constant())) continue;
    Operation *clone = inside.clone(*def);
    replaceAllUsesInRegionWith(value, clone->getResult(0), body);
  }
}

/// A buffer as the kernel sees it: a flat array plus its offset, sizes and strides, each
/// a kernel constant when static, else the host's value (captured by the launch).
struct FlatBuffer {
  Value flat;
  Value offset;
  SmallVector<Value> sizes, strides;

  Value linearIndex(OpBuilder &builder, Location loc, ValueRange indices) const {
    Value index = offset;
    for (auto [i, stride] : llvm::zip(indices, strides))
      index = arith::AddIOp::create(builder, loc, index, arith::MulIOp::create(builder, loc, i, stride));
    return index;
  }
};

LogicalResult linearizeBuffer(gpu::LaunchOp launch, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> staticStrides;
  int64_t staticOffset;
  if (failed(type.getStridesAndOffset(staticStrides, staticOffset)))
    return launch.emitError("a kernel reads a buffer without a strided layout: ") << type;
  Location loc = buffer.getLoc();

  // Host side: the base buffer as a flat array long enough for every element the view
  // addresses (offset + sum((size_i - 1) * stride_i) + 1; empty dims add nothing).
  OpBuilder host(launch);
  auto metadata = memref::ExtractStridedMetadataOp::create(host, loc, buffer);
  Value one = arith::ConstantIndexOp::create(host, loc, 1);
  Value extent = arith::AddIOp::create(host, loc, metadata.getOffset(), one);
  for (auto [size, stride] : llvm::zip(metadata.getSizes(), metadata.getStrides())) {
    Value last = arith::SubIOp::create(host, loc, arith::MaxSIOp::create(host, loc, size, one), one);
    extent = arith::AddIOp::create(host, loc, extent, arith::MulIOp::create(host, loc, last, stride));
  }
  auto flatType = MemRefType::get({ShapedType::kDynamic}, type.getElementType(), MemRefLayoutAttrInterface{},
                                  type.getMemorySpace());
  FlatBuffer view;
  view.flat = memref::ReinterpretCastOp::create(host, loc, flatType, metadata.getBaseBuffer(), OpFoldResult(host.getIndexAttr(0)),
                                                ArrayRef<OpFoldResult>{extent}, ArrayRef<OpFoldResult>{host.getIndexAttr(1)});

  Region &body = launch.getBody();
  OpBuilder inside = OpBuilder::atBlockBegin(&body.front());
  auto kernelValue = [&](int64_t staticValue, Value hostValue) -> Value {
    if (ShapedType::isDynamic(staticValue)) return hostValue;
    return arith::ConstantIndexOp::create(inside, loc, staticValue);
  };
  view.offset = kernelValue(staticOffset, metadata.getOffset());
  for (int64_t i = 0; i < type.getRank(); ++i) {
    view.sizes.push_back(kernelValue(type.getDimSize(i), metadata.getSizes()[i]));
    view.strides.push_back(kernelValue(staticStrides[i], metadata.getStrides()[i]));
  }

  SmallVector<OpOperand *> uses;
  for (OpOperand &use : buffer.getUses())
    if (body.isAncestor(use.getOwner()->getParentRegion())) uses.push_back(&use);
  for (OpOperand *use : uses) {
    Operation *user = use->getOwner();
    OpBuilder builder(user);
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      Value index = view.linearIndex(builder, user->getLoc(), load.getIndices());
      load.replaceAllUsesWith(memref::LoadOp::create(builder, user->getLoc(), view.flat, index).getResult());
      load.erase();
    } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
      Value index = view.linearIndex(builder, user->getLoc(), store.getIndices());
      memref::StoreOp::create(builder, user->getLoc(), store.getValueToStore(), view.flat, index);
      store.erase();
    } else if (auto dim = dyn_cast<memref::DimOp>(user)) {
      std::optional<int64_t> which = dim.getConstantIndex();
      if (!which || *which < 0 || *which >= type.getRank())
        return dim.emitError("a kernel reads a buffer dim that is not a constant in range");
      dim.replaceAllUsesWith(view.sizes[*which]);
      dim.erase();
    } else {
      return user->emitError("a GPU kernel uses a buffer in an op edgec cannot address flatly: ")
             << user->getName();
    }
  }
  return success();
}

struct LinearizeKernelMemrefsPass : impl::LinearizeKernelMemrefsPassBase<LinearizeKernelMemrefsPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches) {
      sinkConstants(launch);
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(launch.getBody(), captured);
      for (Value value : captured)
        if (isa<MemRefType>(value.getType()) && failed(linearizeBuffer(launch, value)))
          return signalPassFailure();
      // The size and stride values just captured may be constants on the host side too.
      sinkConstants(launch);
    }
  }
};

} // namespace
} // namespace edge
