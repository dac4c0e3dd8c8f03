//===- EdgeDialect.cpp - edge dialect and op verifiers --------------------===//
#include "dialects/edge/IR/EdgeDialect.h"

#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace edge;

#include "dialects/edge/IR/EdgeOpsDialect.cpp.inc"

namespace {

/// On buffers the op writes its `init` operand in place.
struct PagedAttentionBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<PagedAttentionBufferization, PagedAttentionOp> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter, const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto attention = cast<PagedAttentionOp>(op);
    SmallVector<Value> buffers;
    for (Value operand : {attention.getQuery(), attention.getKey(), attention.getValue(), attention.getInit()}) {
      FailureOr<Value> buffer = bufferization::getBuffer(rewriter, operand, options, state);
      if (failed(buffer)) return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    PagedAttentionOp::create(rewriter, op->getLoc(), TypeRange{}, attention.getContext(), buffers[0], buffers[1],
                             buffers[2], buffers[3], attention.getLayerAttr(), attention.getScaleAttr());
    bufferization::replaceOpWithBufferizedValues(rewriter, op, buffers[3]);
    return success();
  }
};

} // namespace

void EdgeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/edge/IR/EdgeOps.cpp.inc"
      >();
  PagedAttentionOp::attachInterface<PagedAttentionBufferization>(*getContext());
}

LogicalResult PagedAttentionOp::verify() {
  auto query = cast<ShapedType>(getQuery().getType()), key = cast<ShapedType>(getKey().getType());
  auto value = cast<ShapedType>(getValue().getType()), init = cast<ShapedType>(getInit().getType());
  bool tensors = isa<RankedTensorType>(query);
  if (!llvm::all_of(TypeRange{key, value, init}, [&](Type t) { return isa<RankedTensorType>(t) == tensors; }))
    return emitOpError("operands must be all tensors or all memrefs");
  if (tensors != (getNumResults() == 1)) return emitOpError("returns the filled init on tensors and nothing on memrefs");
  if (tensors && getResult()[0].getType() != init) return emitOpError("result type must be the init's type");
  if (query.getShape() != init.getShape() || key.getShape() != value.getShape())
    return emitOpError("query and init, key and value must have the same shapes");
  int64_t heads = query.getDimSize(1), kvHeads = key.getDimSize(1);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(kvHeads) || heads % kvHeads != 0)
    return emitOpError() << "query heads (" << heads << ") must be a static multiple of KV heads (" << kvHeads << ")";
  if (query.getDimSize(3) != key.getDimSize(3) || ShapedType::isDynamic(query.getDimSize(3)))
    return emitOpError("query and key must have the same static head_dim");
  if (getLayer() < 0) return emitOpError("layer must be non-negative");
  return success();
}

LogicalResult WeightOp::verify() {
  // The packer aligns every tensor to 64 bytes; anything else is a corrupted plan.
  if (getOffset() < 0 || getOffset() % 64 != 0)
    return emitOpError() << "offset " << getOffset() << " is not a non-negative multiple of 64";
  if (std::optional<int64_t> pack = getPackN()) {
    auto type = cast<RankedTensorType>(getType());
    if (*pack <= 0 || type.getRank() != 3 || type.getDimSize(2) != *pack)
      return emitOpError() << "pack_n " << *pack << " needs a [N/" << *pack << ", K, " << *pack << "] type";
  } else if (getPackFromNk()) {
    return emitOpError("pack_from_nk without pack_n");
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/edge/IR/EdgeOps.cpp.inc"
