//===- QuantizedHandlers.cpp - pre-quantized weights, kept quantized -----------===//
//
// Models that arrive quantized carry their weights as low-bit integers with scales:
// com.microsoft MatMulNBits, or DequantizeLinear with block_size (opset 21) feeding MatMul.
// Both become one block-quantized weight of edge/weights_format.h (re-laid out exactly by
// the packer, codegen/artifacts/WeightsWriter.cpp) read by edge.quantized_matmul: the
// weights are never expanded to f32, in the file or at run time.
//
//   MatMulNBits      bits 4, block_size 16..256 (power of 2), zero_points packed uint8 or
//                    absent (8), f32 scales, optional bias; g_idx is refused.
//   DequantizeLinear x an int8 / int4 / uint4 initializer [K, N], axis 0, block_size a
//                    multiple of 16 up to 256, f32 scales [K / block, N], zero points of
//                    x's type or absent; its output read only as MatMul's right operand.
//                    int8 needs zero points of 0 (q8_0); int4 without them is q4_0;
//                    otherwise q4_1. Other DequantizeLinear uses are refused.
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

#include "dialects/edge/IR/EdgeDialect.h"
#include "edge/model_abi.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edge {

llvm::Expected<GraphValue> buildQuantizedMatmul(NodeContext &node, const GraphValue &a, WeightEntry entry) {
  const int64_t k = entry.dims[1] * entry.dims[2], n = entry.dims[0], block = entry.dims[2];
  if ((a.shape.size() != 2 && a.shape.size() != 3) || !a.elementType.isF32() || !a.shape.back().isStatic() ||
      a.shape.back().value != k)
    return node.error("the input must be f32 [M, K] or [B, M, K] with K = " + llvm::Twine(k) +
                      " to multiply the quantized weight");
  OpBuilder &builder = node.builder();
  auto bytesType = RankedTensorType::get({static_cast<int64_t>(entry.storedBytes())}, builder.getI8Type());
  llvm::StringRef format = entry.quantDtype == EDGE_DTYPE_Q8_0 ? "q8_0" : entry.quantDtype == EDGE_DTYPE_Q4_0 ? "q4_0" : "q4_1";
  SmallVector<NamedAttribute> attrs = {builder.getNamedAttr("quant", builder.getStringAttr(format)),
                                       builder.getNamedAttr("quant_block", builder.getI64IntegerAttr(block))};
  if (entry.quantFromKN) attrs.push_back(builder.getNamedAttr("quant_from_kn", builder.getUnitAttr()));
  EDGE_TRY(weight, node.addWeight(std::move(entry), bytesType, attrs));

  GraphValue result;
  result.shape = a.shape;
  result.shape.back() = SymDim::fixed(n);
  result.elementType = a.elementType;
  auto type = node.tensorType(result.shape, a.elementType);
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i)) dynamic.push_back(tensor::DimOp::create(builder, node.loc(), a.value, i));
  Value init = tensor::EmptyOp::create(builder, node.loc(), type, dynamic);
  result.value = QuantizedMatmulOp::create(builder, node.loc(), TypeRange{type}, a.value, weight, init,
                                           builder.getStringAttr(format), builder.getI64IntegerAttr(block))
                     .getResult()[0];
  return result;
}

namespace {

uint64_t bytesOf(const GraphValue &value) { return value.source->byteSize; }

/// com.microsoft MatMulNBits with 4-bit weights: A [..., K] times the dequantized B [K, N]
/// (+ bias). B, its scales and zero points stay quantized: they become one weight of
/// edge/weights_format.h's blocks (q4_0 without zero points, q4_1 with), which the packer
/// converts exactly, read by edge.quantized_matmul.
llvm::Error importMatMulNBits(NodeContext &node) {
  int64_t k = node.attrInt("K", 0), n = node.attrInt("N", 0), bits = node.attrInt("bits", 4);
  int64_t block = node.attrInt("block_size", 0);
  if (bits != 4) return node.error("bits = " + llvm::Twine(bits) + ": only 4-bit weights are supported");
  if (block < 16 || block > 256 || (block & (block - 1)) != 0)
    return node.error("block_size " + llvm::Twine(block) + ": expected a power of 2 in [16, 256]");
  if (k <= 0 || n <= 0 || k % block != 0)
    return node.error("K = " + llvm::Twine(k) + " must be a positive multiple of block_size " + llvm::Twine(block));
  if (node.hasInput(4)) return node.error("g_idx (act-order quantization) is not supported");
  EDGE_TRY(a, node.input(0));
  std::optional<GraphValue> b = node.constantData(1), scales = node.constantData(2);
  std::optional<GraphValue> zeroPoints = node.constantData(3);
  if (!b || !scales || (node.hasInput(3) && !zeroPoints))
    return node.error("B, scales and zero_points must be initializers");
  const int64_t blocks = k / block;
  if (!b->elementType.isUnsignedInteger(8) && !b->elementType.isInteger(8))
    return node.error("B must be uint8");
  if (bytesOf(*b) != static_cast<uint64_t>(n * blocks * block / 2))
    return node.error("B holds " + llvm::Twine(bytesOf(*b)) + " bytes; N x K / 2 = " + llvm::Twine(n * blocks * block / 2));
  // Scales have A's type (f32 here).
  if (!scales->elementType.isF32() || bytesOf(*scales) != static_cast<uint64_t>(n * blocks * 4))
    return node.error("scales must be f32 with N x K / block_size = " + llvm::Twine(n * blocks) + " values");
  if (zeroPoints && (!zeroPoints->elementType.isUnsignedInteger(8) && !zeroPoints->elementType.isInteger(8)))
    return node.error("zero_points must be packed uint8 (float zero points are not supported)");
  if (zeroPoints && bytesOf(*zeroPoints) != static_cast<uint64_t>(n * ((blocks + 1) / 2)))
    return node.error("zero_points holds " + llvm::Twine(bytesOf(*zeroPoints)) + " bytes; expected " +
                      llvm::Twine(n * ((blocks + 1) / 2)));

  WeightEntry entry;
  entry.name = node.getNode().input(1);
  entry.dtype = entry.quantDtype = zeroPoints ? EDGE_DTYPE_Q4_1 : EDGE_DTYPE_Q4_0;
  entry.dims = {n, blocks, block};
  entry.quantBlock = block;
  entry.source = *b->source;
  entry.nbitsScales = *scales->source;
  if (zeroPoints) entry.nbitsZeroPoints = *zeroPoints->source;
  EDGE_TRY(product, buildQuantizedMatmul(node, a, std::move(entry)));
  if (node.hasInput(5)) {
    EDGE_TRY(bias, node.input(5));
    EDGE_TRY(sum, buildBinary<onnx::AddOp>(node, product, bias));
    node.forwardOutput(0, sum);
  } else {
    node.forwardOutput(0, product);
  }
  return llvm::Error::success();
}

/// DequantizeLinear (opset 21 block_size) of a weight feeding MatMul: recorded as a pending
/// block-quantized weight that the MatMul reading it adds (see importMatMul).
llvm::Error importDequantizeLinear(NodeContext &node) {
  const char *only = "only a blocked DequantizeLinear (block_size) of an initializer along axis 0, read by MatMul, is "
                     "supported: edgec keeps such weights quantized";
  const int64_t block = node.attrInt("block_size", 0);
  std::optional<GraphValue> x = node.constantData(0), scale = node.constantData(1), zero = node.constantData(2);
  if (block <= 0 || !x || !scale || (node.hasInput(2) && !zero) || x->shape.size() != 2 ||
      normalizeAxis(node.attrInt("axis", 1), 2) != 0)
    return node.error(only);
  const int64_t k = x->shape[0].value, n = x->shape[1].value, blocks = k / std::max<int64_t>(block, 1);
  if (block % 16 != 0 || block > 256 || k % block != 0)
    return node.error("block_size " + llvm::Twine(block) + ": edgec needs a multiple of 16 up to 256 that divides K = " +
                      llvm::Twine(k));
  const int type = x->tensor->data_type(); // INT8 3, UINT4 21, INT4 22
  if (type != 3 && type != 21 && type != 22)
    return node.error("x has ONNX type " + onnxTypeName(type) + ": only int8, int4 and uint4 weights are kept quantized");
  if (!scale->elementType.isF32() || bytesOf(*scale) != static_cast<uint64_t>(blocks * n * 4))
    return node.error("x_scale must be f32 [K / block_size, N] = [" + llvm::Twine(blocks) + ", " + llvm::Twine(n) + "]");
  const uint64_t zeroBytes = type == 3 ? blocks * n : (blocks * n + 1) / 2;
  bool zeroIsZero = true;
  if (zero) {
    if (zero->tensor->data_type() != type || bytesOf(*zero) != zeroBytes)
      return node.error("x_zero_point must have x's type and x_scale's shape");
    auto bytes = readTensorData(*zero->source);
    if (!bytes) return node.error(bytes.takeError());
    zeroIsZero = llvm::all_of(*bytes, [](uint8_t byte) { return byte == 0; });
  }
  if (type == 3 && !zeroIsZero) return node.error("int8 weights need zero points of 0 (q8_0 has no offset)");

  WeightEntry entry;
  entry.name = node.getNode().input(0);
  entry.dtype = entry.quantDtype = type == 3 ? EDGE_DTYPE_Q8_0 : (type == 22 && zeroIsZero ? EDGE_DTYPE_Q4_0 : EDGE_DTYPE_Q4_1);
  entry.dims = {n, blocks, block};
  entry.quantBlock = block;
  entry.quantFromKN = true;
  entry.source = *x->source;
  entry.dqScales = *scale->source;
  if (zero && !zeroIsZero) entry.dqZeroPoints = *zero->source;
  entry.dqElementType = type;
  node.setBlockQuantizedOutput(0, {SymDim::fixed(k), SymDim::fixed(n)}, std::move(entry));
  return llvm::Error::success();
}

} // namespace

void addQuantizedHandlers(HandlerTable &t) {
  t["DequantizeLinear"] = {{10, importDequantizeLinear, {"axis", "block_size"}}};
}

void addQuantizedContribHandlers(HandlerTable &t) {
  t["MatMulNBits"] = {{1, importMatMulNBits, {"K", "N", "bits", "block_size", "accuracy_level"}}};
}

} // namespace edge
