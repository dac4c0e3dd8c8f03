//===- ShapeBuffersToViews.cpp - the edge-shape-buffers-to-views pass -----===//
#include "codegen/spirv/Passes.h"

namespace edge {
#define GEN_PASS_DEF_SHAPEBUFFERSTOVIEWSPASS
#include "codegen/spirv/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// The value stored at each index of a shape buffer, if the buffer is a fresh
/// allocation written once per element, by stores before `reader` in its block.
std::optional<SmallVector<Value>> storedSizes(Value shape, Operation *reader) {
  auto alloc = shape.getDefiningOp<memref::AllocOp>();
  auto type = cast<MemRefType>(shape.getType());
  if (!alloc || !type.hasStaticShape() || type.getRank() != 1) return std::nullopt;
  SmallVector<Value> sizes(type.getDimSize(0));
  for (Operation *user : shape.getUsers()) {
    auto store = dyn_cast<memref::StoreOp>(user);
    if (!store) continue;
    std::optional<int64_t> index = getConstantIntValue(store.getIndices()[0]);
    if (!index || *index < 0 || *index >= static_cast<int64_t>(sizes.size()) || sizes[*index] ||
        store->getBlock() != reader->getBlock() || !store->isBeforeInBlock(reader))
      return std::nullopt;
    sizes[*index] = store.getValueToStore();
  }
  if (llvm::any_of(sizes, [](Value v) { return !v; })) return std::nullopt;
  return sizes;
}

bool rewriteReshape(OpBuilder &builder, memref::ReshapeOp reshape) {
  auto resultType = cast<MemRefType>(reshape.getResult().getType());
  auto sourceType = cast<MemRefType>(reshape.getSource().getType());
  if (!resultType.getLayout().isIdentity() || !sourceType.getLayout().isIdentity()) return false;
  std::optional<SmallVector<Value>> stored = storedSizes(reshape.getShape(), reshape);
  if (!stored) return false;
  builder.setInsertionPoint(reshape);
  Location loc = reshape.getLoc();
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> sizes(rank), strides(rank);
  OpFoldResult stride = builder.getIndexAttr(1);
  for (int64_t i = rank - 1; i >= 0; --i) {
    Value size = (*stored)[i];
    if (!size.getType().isIndex()) size = arith::IndexCastOp::create(builder, loc, builder.getIndexType(), size);
    sizes[i] = resultType.isDynamicDim(i) ? OpFoldResult(size) : builder.getIndexAttr(resultType.getDimSize(i));
    strides[i] = stride;
    std::optional<int64_t> staticStride = getConstantIntValue(stride), staticSize = getConstantIntValue(sizes[i]);
    if (staticStride && staticSize) {
      stride = builder.getIndexAttr(*staticStride * *staticSize);
    } else {
      Value a = getValueOrCreateConstantIndexOp(builder, loc, stride);
      Value b = getValueOrCreateConstantIndexOp(builder, loc, sizes[i]);
      stride = arith::MulIOp::create(builder, loc, a, b).getResult();
    }
  }
  auto cast = memref::ReinterpretCastOp::create(builder, loc, resultType, reshape.getSource(),
                                                builder.getIndexAttr(0), sizes, strides);
  reshape.replaceAllUsesWith(cast.getResult());
  reshape.erase();
  return true;
}

/// Removes a shape buffer that only its own stores (and deallocation) still use.
void eraseIfUnread(Value shape) {
  auto alloc = shape.getDefiningOp<memref::AllocOp>();
  if (!alloc || !llvm::all_of(shape.getUsers(), [](Operation *u) { return isa<memref::StoreOp, memref::DeallocOp>(u); }))
    return;
  for (Operation *user : llvm::make_early_inc_range(shape.getUsers())) user->erase();
  alloc.erase();
}

struct ShapeBuffersToViewsPass : impl::ShapeBuffersToViewsPassBase<ShapeBuffersToViewsPass> {
  void runOnOperation() override {
    SmallVector<memref::ReshapeOp> reshapes;
    getOperation().walk([&](memref::ReshapeOp op) { reshapes.push_back(op); });
    OpBuilder builder(&getContext());
    llvm::SetVector<Value> shapes;
    for (memref::ReshapeOp reshape : reshapes) {
      Value shape = reshape.getShape();
      if (rewriteReshape(builder, reshape)) shapes.insert(shape);
    }
    for (Value shape : shapes) eraseIfUnread(shape);
  }
};

} // namespace
} // namespace edge
