//===- EdgeDialect.cpp - edge dialect and op verifiers --------------------===//
#include "dialects/edge/IR/EdgeDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace edge;

#include "dialects/edge/IR/EdgeOpsDialect.cpp.inc"

void EdgeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/edge/IR/EdgeOps.cpp.inc"
      >();
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
