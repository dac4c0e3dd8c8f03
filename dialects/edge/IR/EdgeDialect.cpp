//===- EdgeDialect.cpp - edge dialect and op verifiers --------------------===//
#include "dialects/edge/IR/EdgeDialect.h"

#include <algorithm>
#include "dialects/edge/IR/ModelInterface.h"

#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringSwitch.h"

#include "edge/model_abi.h"
#include "edge/weights_format.h"

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

/// Whether a ukernel op reads its `init` or only writes it: the quantized ops overwrite
/// every value, a panel matmul reads it when it accumulates.
bool readsInit(Operation *op) {
  auto panels = dyn_cast<PanelMatmulOp>(op);
  return panels && panels.getAccumulate();
}

/// The ukernel ops (quantized and panel matmuls, quantized embedding) on buffers: operands
/// 0 and 1 read, `init` (the last) written in place, and read only when the op says so
/// (a written-only init needs no copy of what it held).
template <typename Op>
struct UkernelOpBufferization : bufferization::DstBufferizableOpInterfaceExternalModel<UkernelOpBufferization<Op>, Op> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand, const bufferization::AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand) || readsInit(op);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter, const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = bufferization::getBuffer(rewriter, operand, options, state);
      if (failed(buffer)) return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState bufferized(op->getLoc(), op->getName());
    bufferized.addOperands(buffers);
    bufferized.addAttributes(op->getAttrs());
    rewriter.create(bufferized);
    bufferization::replaceOpWithBufferizedValues(rewriter, op, buffers.back());
    return success();
  }
};

/// Shared checks of the quantized ops: tensors or memrefs throughout, a known format, a
/// block size the kernels handle.
LogicalResult verifyQuantized(Operation *op, StringRef format, int64_t block) {
  bool tensors = isa<RankedTensorType>(op->getOperand(0).getType());
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != tensors)
      return op->emitOpError("operands must be all tensors or all memrefs");
  if (tensors != (op->getNumResults() == 1)) return op->emitOpError("returns the filled init on tensors and nothing on memrefs");
  if (tensors && op->getResult(0).getType() != op->getOperands().back().getType())
    return op->emitOpError("result type must be the init's type");
  if (!weightFormatDtype(format)) return op->emitOpError() << "unknown format '" << format << "'";
  if (block <= 0 || block % 16 != 0 || block > 256)
    return op->emitOpError() << "block size " << block << " is not a multiple of 16 in [16, 256]";
  return success();
}

} // namespace

WeightsByName edge::collectWeightsByName(Operation *root) {
  WeightsByName weights;
  std::vector<WeightOp> firsts;
  root->walk([&](WeightOp op) {
    auto &ops = weights.ops[op.getName()];
    if (ops.empty()) firsts.push_back(op);
    ops.push_back(op);
  });
  std::stable_sort(firsts.begin(), firsts.end(), [](WeightOp a, WeightOp b) { return a.getOffset() < b.getOffset(); });
  for (WeightOp op : firsts) weights.names.push_back(op.getName());
  return weights;
}

LogicalResult EdgeDialect::verifyOperationAttribute(Operation *op, NamedAttribute attribute) {
  if (attribute.getName() != kModelInterfaceAttr) return success();
  auto dict = dyn_cast<DictionaryAttr>(attribute.getValue());
  if (!isa<ModuleOp>(op) || !dict) return op->emitError("edge.model must be a dictionary on the module");
  return decodeModelInterface(dict, [&] { return op->emitError(); });
}

uint32_t edge::weightFormatDtype(StringRef format) {
  return llvm::StringSwitch<uint32_t>(format)
      .Case("q8_0", EDGE_DTYPE_Q8_0)
      .Case("q4_0", EDGE_DTYPE_Q4_0)
      .Case("q4_1", EDGE_DTYPE_Q4_1)
      .Case("q8_0x4", EDGE_DTYPE_Q8_0_X4)
      .Case("q4_0x4", EDGE_DTYPE_Q4_0_X4)
      .Case("q4_1x4", EDGE_DTYPE_Q4_1_X4)
      .Default(0);
}

int64_t edge::weightBlockBytes(StringRef format, int64_t block) {
  return static_cast<int64_t>(edge_weights_block_bytes(weightFormatDtype(format), static_cast<uint64_t>(block)));
}

LogicalResult QuantizedMatmulOp::verify() {
  if (failed(verifyQuantized(*this, getFormat(), getBlockSize()))) return failure();
  auto input = cast<ShapedType>(getInput().getType()), init = cast<ShapedType>(getInit().getType());
  if (input.getRank() != init.getRank()) return emitOpError("input and init must have the same rank");
  int64_t k = input.getShape().back(), n = init.getShape().back();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n)) return emitOpError("K and N must be static");
  if (k % getBlockSize() != 0) return emitOpError() << "K = " << k << " is not a multiple of the block size";
  if (edge_weights_is_x4(weightFormatDtype(getFormat())) && (n % 4 != 0 || getBlockSize() % 32 != 0))
    return emitOpError() << "format '" << getFormat() << "' needs N a multiple of 4 and blocks of a multiple of 32";
  int64_t bytes = n * (k / getBlockSize()) * weightBlockBytes(getFormat(), getBlockSize());
  if (cast<ShapedType>(getWeight().getType()).getDimSize(0) != bytes)
    return emitOpError() << "weight must be " << bytes << " bytes for N = " << n << ", K = " << k;
  return success();
}

LogicalResult PanelMatmulOp::verify() {
  bool tensors = isa<RankedTensorType>(getInput().getType());
  for (Value operand : getOperands())
    if (isa<RankedTensorType>(operand.getType()) != tensors)
      return emitOpError("operands must be all tensors or all memrefs");
  if (tensors != (getNumResults() == 1)) return emitOpError("returns the filled init on tensors and nothing on memrefs");
  if (tensors && (*this)->getResult(0).getType() != getInit().getType()) return emitOpError("result type must be the init's type");
  auto input = cast<ShapedType>(getInput().getType()), init = cast<ShapedType>(getInit().getType());
  auto weight = cast<ShapedType>(getWeight().getType());
  if (input.getRank() != init.getRank()) return emitOpError("input and init must have the same rank");
  if (!weight.hasStaticShape()) return emitOpError("weight must have a static shape");
  int64_t k = input.getShape().back(), n = init.getShape().back();
  int64_t panels = weight.getDimSize(0), depth = weight.getDimSize(1), width = weight.getDimSize(2);
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n)) return emitOpError("K and N must be static");
  if (depth != k || panels * width != n || width == 0)
    return emitOpError() << "weight [" << panels << ", " << depth << ", " << width << "] is not the panels of a [K = "
                         << k << ", N = " << n << "] matrix";
  for (int64_t d = 0; d + 1 < input.getRank(); ++d)
    if (!ShapedType::isDynamic(input.getDimSize(d)) && !ShapedType::isDynamic(init.getDimSize(d)) &&
        input.getDimSize(d) != init.getDimSize(d))
      return emitOpError() << "input and init differ in dim " << d;
  return success();
}

LogicalResult QuantizedEmbeddingOp::verify() {
  if (failed(verifyQuantized(*this, getFormat(), getBlockSize()))) return failure();
  if (edge_weights_is_x4(weightFormatDtype(getFormat())))
    return emitOpError() << "format '" << getFormat() << "' interleaves rows: a table's rows must be plain";
  auto init = cast<ShapedType>(getInit().getType());
  if (init.getRank() != cast<ShapedType>(getIndices().getType()).getRank() + 1)
    return emitOpError("init must have one dim more than indices");
  int64_t width = init.getShape().back();
  if (ShapedType::isDynamic(width) || width % getBlockSize() != 0)
    return emitOpError() << "row width must be a static multiple of the block size";
  int64_t bytes = getRows() * (width / getBlockSize()) * weightBlockBytes(getFormat(), getBlockSize());
  if (cast<ShapedType>(getTable().getType()).getDimSize(0) != bytes)
    return emitOpError() << "table must be " << bytes << " bytes for " << getRows() << " rows of " << width;
  return success();
}

void EdgeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/edge/IR/EdgeOps.cpp.inc"
      >();
  PagedAttentionOp::attachInterface<PagedAttentionBufferization>(*getContext());
  QuantizedMatmulOp::attachInterface<UkernelOpBufferization<QuantizedMatmulOp>>(*getContext());
  QuantizedEmbeddingOp::attachInterface<UkernelOpBufferization<QuantizedEmbeddingOp>>(*getContext());
  PanelMatmulOp::attachInterface<UkernelOpBufferization<PanelMatmulOp>>(*getContext());
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
  if (std::optional<StringRef> quant = getQuant()) {
    if (!weightFormatDtype(*quant)) return emitOpError() << "unknown quant format '" << *quant << "'";
    if (!getQuantBlock() || *getQuantBlock() <= 0 || *getQuantBlock() % 16 != 0 || *getQuantBlock() > 256)
      return emitOpError("quant needs quant_block, a multiple of 16 in [16, 256]");
    if (getPackN()) return emitOpError("a weight is either panel-packed or quantized");
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/edge/IR/EdgeOps.cpp.inc"
