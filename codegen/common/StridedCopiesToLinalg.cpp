//===- StridedCopiesToLinalg.cpp - the edge-strided-copies-to-linalg pass -===//
#include "codegen/common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace edge {
#define GEN_PASS_DEF_STRIDEDCOPIESTOLINALGPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

struct StridedCopiesToLinalgPass : impl::StridedCopiesToLinalgPassBase<StridedCopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto isContiguous = [](Type type) {
        auto memref = dyn_cast<MemRefType>(type);
        return memref && memref.getLayout().isIdentity();
      };
      if (!isContiguous(copy.getSource().getType()) || !isContiguous(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    OpBuilder builder(&getContext());
    for (memref::CopyOp copy : copies) {
      builder.setInsertionPoint(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
} // namespace edge
