//===- OnnxImporter.cpp - ONNX protobuf → onnx dialect (graph level) ------===//
#include "compiler/import/OnnxImporter.h"

#include <fcntl.h>
#include <limits>
#include <unistd.h>

#include "compiler/import/ImportContext.h"
#include "dialects/edge/IR/EdgeDialect.h"
#include "dialects/onnx/IR/OnnxDialect.h"
#include "edge/model_abi.h"

#include "google/protobuf/io/coded_stream.h"
#include "onnx/defs/schema.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace edge {

/// Initializers with more elements than this go to NAME.weights; smaller ones (shapes,
/// axes, scalars) become arith.constant so that folders can see them.
static constexpr uint64_t kInlineElementLimit = 16;

std::optional<ElementKind> getElementKind(MLIRContext *context, int32_t onnxType) {
  Builder b(context);
  switch (onnxType) {
  case ::onnx::TensorProto::FLOAT: return ElementKind{b.getF32Type(), EDGE_DTYPE_F32, 4};
  case ::onnx::TensorProto::FLOAT16: return ElementKind{b.getF16Type(), EDGE_DTYPE_F16, 2};
  case ::onnx::TensorProto::DOUBLE: return ElementKind{b.getF64Type(), EDGE_DTYPE_F64, 8};
  case ::onnx::TensorProto::INT64: return ElementKind{b.getI64Type(), EDGE_DTYPE_I64, 8};
  case ::onnx::TensorProto::INT32: return ElementKind{b.getI32Type(), EDGE_DTYPE_I32, 4};
  case ::onnx::TensorProto::INT8: return ElementKind{b.getI8Type(), EDGE_DTYPE_I8, 1};
  case ::onnx::TensorProto::UINT8: return ElementKind{b.getI8Type(), EDGE_DTYPE_U8, 1};
  case ::onnx::TensorProto::BOOL: return ElementKind{b.getI1Type(), EDGE_DTYPE_BOOL, 1};
  default: return std::nullopt;
  }
}

/// The ABI dtype of an IR element type (i8 reads as signed int8).
static uint32_t getDtype(Type type) {
  if (type.isF32()) return EDGE_DTYPE_F32;
  if (type.isF16()) return EDGE_DTYPE_F16;
  if (type.isF64()) return EDGE_DTYPE_F64;
  if (type.isInteger(64)) return EDGE_DTYPE_I64;
  if (type.isInteger(32)) return EDGE_DTYPE_I32;
  if (type.isInteger(8)) return EDGE_DTYPE_I8;
  if (type.isInteger(1)) return EDGE_DTYPE_BOOL;
  return EDGE_DTYPE_INVALID;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, const ::onnx::ModelProto &model, StringRef path, ImportedModel &out)
      : context(context), builder(&context), model(model), out(out), fileName(path.str()),
        modelDir(llvm::sys::path::parent_path(path).empty() ? "." : llvm::sys::path::parent_path(path).str()) {}

  llvm::Error run();

  MLIRContext &context;
  OpBuilder builder;
  const ::onnx::ModelProto &model;
  ImportedModel &out;
  std::string fileName, modelDir;
  std::map<std::string, GraphValue> values;
  std::vector<std::string> symbols;
  /// Where each named dim is read at run time: (graph input argument, dim).
  std::vector<std::pair<Value, int64_t>> symbolSources;
  /// Input dims broadcasting found equal to other dims (total_sequence == past + sequence).
  std::vector<DimEquality> dimEqualities;

  llvm::Expected<GraphValue> describeConstant(const ::onnx::TensorProto &tensor);
  llvm::Expected<GraphValue> materialize(const std::string &name);

private:
  int symbolFor(const std::string &name) {
    auto it = llvm::find(symbols, name);
    if (it != symbols.end()) return static_cast<int>(it - symbols.begin());
    symbols.push_back(name);
    return static_cast<int>(symbols.size() - 1);
  }
  llvm::Error importInputs(SmallVectorImpl<Type> &types);
  /// A symbol for an output dim that is a combination of input dims (past + sequence),
  /// named after the output's declared dim_param when it has one.
  int derivedSymbol(const SymDim &dim, const ::onnx::ValueInfoProto &output, size_t index);
  llvm::Error importNode(const ::onnx::NodeProto &node);
  /// Refuses a node whose static output dims describe a tensor no target can hold.
  llvm::Error checkOutputSizes(NodeContext &ctx, const ::onnx::NodeProto &node);
  std::map<std::string, int64_t> opsets; ///< by domain ("" for the default one)
};

llvm::Expected<GraphValue> GraphImporter::describeConstant(const ::onnx::TensorProto &tensor) {
  // 4-bit integers (UINT4 = 21, INT4 = 22) exist only as blocked DequantizeLinear weights,
  // kept packed: raw_data two values a byte.
  bool fourBit = tensor.data_type() == 21 || tensor.data_type() == 22;
  std::optional<ElementKind> kind = getElementKind(&context, tensor.data_type());
  if (fourBit)
    kind = ElementKind{IntegerType::get(&context, 4, tensor.data_type() == 21 ? IntegerType::Unsigned : IntegerType::Signed),
                       EDGE_DTYPE_INVALID, 1};
  if (fourBit && !tensor.has_raw_data() && tensor.data_location() != ::onnx::TensorProto::EXTERNAL)
    return llvm::createStringError("4-bit tensor '" + tensor.name() + "' must keep its values in raw_data");
  if (!kind)
    return llvm::createStringError("tensor '" + tensor.name() + "' has unsupported element type " +
                                   onnxTypeName(tensor.data_type()));
  GraphValue value;
  uint64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim > 0 && count > (uint64_t(1) << 48) / dim))
      return llvm::createStringError("tensor '" + tensor.name() + "' has invalid dim " + std::to_string(dim));
    value.shape.push_back(SymDim::fixed(dim));
    count *= dim;
  }
  auto source = describeTensorData(tensor, modelDir, kind->size, fourBit ? (count + 1) / 2 : count);
  if (!source) return source.takeError();
  value.elementType = kind->type;
  value.tensor = &tensor;
  value.source = *source;
  return value;
}

llvm::Expected<GraphValue> GraphImporter::materialize(const std::string &name) {
  auto it = values.find(name);
  if (it == values.end()) return llvm::createStringError("value '" + name + "' is used but never defined");
  GraphValue &value = it->second;
  if (value.value) return value;
  if (value.blockQuantized)
    return llvm::createStringError("'" + name + "' (a blocked DequantizeLinear of a weight) is read by an op other than " +
                                   "MatMul's right operand; edgec keeps such weights quantized and reads them only there");
  if (value.elementType && value.elementType.isInteger(4))
    return llvm::createStringError("4-bit tensor '" + name + "' is read by an op other than a blocked DequantizeLinear");

  const ::onnx::TensorProto &tensor = *value.tensor;
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, value.elementType);
  Location loc = NameLoc::get(builder.getStringAttr(tensor.name()));
  std::optional<ElementKind> kind = getElementKind(&context, tensor.data_type());
  if (value.source->byteSize / kind->size <= kInlineElementLimit) {
    auto bytes = readTensorData(*value.source);
    if (!bytes) return bytes.takeError();
    DenseElementsAttr attr;
    if (value.elementType.isInteger(1)) {
      SmallVector<bool> bits(bytes->begin(), bytes->end());
      attr = DenseElementsAttr::get(type, llvm::ArrayRef<bool>(bits));
    } else {
      attr = DenseElementsAttr::getFromRawBuffer(
          type, llvm::ArrayRef<char>(reinterpret_cast<const char *>(bytes->data()), bytes->size()));
    }
    value.value = arith::ConstantOp::create(builder, loc, attr);
    return value;
  }
  // A weight: appended to the NAME.weights layout at the next aligned offset.
  ImportedWeights &weights = out.weights;
  uint64_t offset = (weights.dataSize + 63) / 64 * 64;
  weights.entries.push_back(
      WeightEntry{tensor.name(), kind->dtype, std::vector<int64_t>(shape.begin(), shape.end()), offset, *value.source});
  weights.dataSize = offset + value.source->byteSize;
  value.value = WeightOp::create(builder, loc, type, FlatSymbolRefAttr::get(&context, tensor.name()),
                                 builder.getI64IntegerAttr(offset), IntegerAttr(), UnitAttr(), StringAttr(),
                                 IntegerAttr(), UnitAttr());
  return value;
}

int GraphImporter::derivedSymbol(const SymDim &dim, const ::onnx::ValueInfoProto &output, size_t index) {
  for (auto [s, expr] : llvm::enumerate(out.signature.symbolExprs))
    if (!expr.fixed && expr.constant == dim.value && expr.terms == dim.terms) return static_cast<int>(s);
  std::string name = describe(dim, symbols);
  const auto &shape = output.type().tensor_type().shape();
  if (static_cast<int>(index) < shape.dim_size() && shape.dim(index).has_dim_param() &&
      !llvm::is_contained(symbols, shape.dim(index).dim_param()))
    name = shape.dim(index).dim_param();
  symbols.push_back(name);
  out.signature.symbolExprs.resize(symbols.size());
  out.signature.symbolExprs.back() = SymbolExpr{dim.value, dim.terms};
  return static_cast<int>(symbols.size() - 1);
}

llvm::Error GraphImporter::importInputs(SmallVectorImpl<Type> &types) {
  const ::onnx::GraphProto &graph = model.graph();
  std::set<std::string> initializers;
  for (const auto &init : graph.initializer()) initializers.insert(init.name());
  for (const ::onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name())) continue; // old IR versions list them as inputs
    if (!input.type().has_tensor_type() || !input.type().tensor_type().has_shape())
      return llvm::createStringError("graph input '" + input.name() + "' is not a tensor with a known rank");
    const auto &tensorType = input.type().tensor_type();
    std::optional<ElementKind> kind = getElementKind(&context, tensorType.elem_type());
    if (!kind)
      return llvm::createStringError("graph input '" + input.name() + "' has unsupported element type " +
                                     onnxTypeName(tensorType.elem_type()));
    GraphValue value;
    TensorInterface desc{input.name(), kind->dtype, {}};
    for (const auto &dim : tensorType.shape().dim()) {
      int index = static_cast<int>(value.shape.size());
      if (dim.has_dim_value() && dim.dim_value() >= 0) {
        value.shape.push_back(SymDim::fixed(dim.dim_value()));
        desc.dims.push_back(dim.dim_value());
        continue;
      }
      // Unnamed dynamic dims get a name of their own: nothing else can bind them.
      std::string name = dim.has_dim_param() && !dim.dim_param().empty()
                             ? dim.dim_param()
                             : input.name() + ".dim" + std::to_string(index);
      int symbol = symbolFor(name);
      value.shape.push_back(SymDim::named(symbol));
      desc.dims.push_back(-symbol - 1);
    }
    if (desc.dims.size() > 8)
      return llvm::createStringError("graph input '" + input.name() + "' has rank above 8");
    value.elementType = kind->type;
    types.push_back(NodeContext(*this, ::onnx::NodeProto(), 0).tensorType(value.shape, kind->type));
    values[input.name()] = value;
    out.signature.inputs.push_back(desc);
  }
  return llvm::Error::success();
}

/// The node's input and output counts and attribute types against ONNX's own schema of
/// its op at the model's opset. Opsets newer than the ONNX library knows, and domains it
/// does not (com.microsoft), are left to the handlers.
static llvm::Error checkSchema(const NodeContext &ctx, const ::onnx::NodeProto &node, int64_t opset) {
  const std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  const auto &known = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = known.find(domain);
  if (range == known.end() || opset > range->second.second) return llvm::Error::success();
  const ::onnx::OpSchema *schema = ::onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(opset), domain);
  if (!schema) return llvm::Error::success();
  auto count = [&](const char *what, int have, int least, int most) -> llvm::Error {
    if (have >= least && have <= most) return llvm::Error::success();
    std::string allowed = least == most ? std::to_string(least)
                          : most == std::numeric_limits<int>::max() ? std::to_string(least) + " or more"
                                                                    : std::to_string(least) + " to " + std::to_string(most);
    return ctx.error("takes " + allowed + " " + (allowed == "1" ? llvm::StringRef(what).drop_back() : what) +
                     ", has " + llvm::Twine(have));
  };
  if (llvm::Error error = count("inputs", node.input_size(), schema->min_input(), schema->max_input())) return error;
  if (llvm::Error error = count("outputs", node.output_size(), schema->min_output(), schema->max_output()))
    return error;
  for (const ::onnx::AttributeProto &attribute : node.attribute()) {
    auto declared = schema->attributes().find(attribute.name());
    if (declared == schema->attributes().end() || attribute.type() == ::onnx::AttributeProto::UNDEFINED ||
        attribute.type() == declared->second.type)
      continue;
    return ctx.error("attribute '" + attribute.name() + "' is " +
                     ::onnx::AttributeProto_AttributeType_Name(attribute.type()) + "; the op takes " +
                     ::onnx::AttributeProto_AttributeType_Name(declared->second.type));
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::importNode(const ::onnx::NodeProto &node) {
  auto opset = opsets.find(node.domain() == "ai.onnx" ? "" : node.domain());
  NodeContext ctx(*this, node, opset == opsets.end() ? 0 : opset->second);
  if (opset == opsets.end() && isSupportedDomain(node.domain()))
    return ctx.error("the model imports no opset for this domain");
  for (const std::string &input : node.input())
    if (!input.empty() && !values.count(input))
      return ctx.error("input '" + input + "' is not defined before this node");
  auto handler = findOpHandler(node, ctx.getOpset());
  if (!handler) return ctx.error(handler.takeError());
  // Every op edgec imports computes its first output (the schema check below cannot tell
  // for opsets newer than the ONNX library knows).
  if (node.output_size() == 0 || node.output(0).empty()) return ctx.error("has no first output");
  if (llvm::Error error = checkSchema(ctx, node, ctx.getOpset())) return error;
  if (llvm::Error error = (*handler)(ctx)) return error;
  return checkOutputSizes(ctx, node);
}

/// Bytes no 64-bit target can address (its virtual addresses have at most 48 bits, half
/// for user space): a tensor this large is a malformed or hostile model, refused before
/// any pass tries to fold, tile or allocate it.
constexpr uint64_t kMaxTensorBytes = uint64_t(1) << 47;

llvm::Error GraphImporter::checkOutputSizes(NodeContext &ctx, const ::onnx::NodeProto &node) {
  for (const std::string &name : node.output()) {
    auto it = values.find(name);
    if (name.empty() || it == values.end()) continue;
    const GraphValue &value = it->second;
    const bool scalar = value.elementType && value.elementType.isIntOrFloat();
    uint64_t bytes = scalar ? std::max(1u, value.elementType.getIntOrFloatBitWidth() / 8) : 1;
    bool tooLarge = false;
    for (const SymDim &dim : value.shape)
      if (dim.isStatic() && dim.value > 0)
        tooLarge = tooLarge || __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim.value), &bytes) ||
                   bytes > kMaxTensorBytes;
    if (tooLarge)
      return ctx.error("output '" + name + "' " + describe(value.shape, symbols) + " would take more than 2^47 bytes, " +
                       "more than a 64-bit target can address");
  }
  return llvm::Error::success();
}

/// What the model declares of an output (element type, rank, static dims) must be what
/// its graph computes: a mismatch means a broken export or an import bug, and callers
/// would size their buffers by the declaration.
static llvm::Error checkDeclaredOutput(const ::onnx::ValueInfoProto &output, const GraphValue &value) {
  if (!output.type().has_tensor_type()) return llvm::Error::success();
  const auto &declared = output.type().tensor_type();
  auto mismatch = [&](const llvm::Twine &what) {
    return llvm::createStringError("graph output '" + output.name() + "' is declared " + what);
  };
  if (declared.elem_type() != 0) {
    std::optional<ElementKind> kind = getElementKind(value.elementType.getContext(), declared.elem_type());
    if (!kind || kind->type != value.elementType) {
      std::string computed;
      llvm::raw_string_ostream os(computed);
      os << value.elementType;
      return mismatch(onnxTypeName(declared.elem_type()) + " but computes " + computed);
    }
  }
  if (!declared.has_shape()) return llvm::Error::success();
  if (declared.shape().dim_size() != static_cast<int>(value.shape.size()))
    return mismatch("of rank " + llvm::Twine(declared.shape().dim_size()) + " but computes rank " +
                    llvm::Twine(value.shape.size()));
  for (auto [i, dim] : llvm::enumerate(declared.shape().dim()))
    if (dim.has_dim_value() && value.shape[i].isStatic() && dim.dim_value() != value.shape[i].value)
      return mismatch("with dim " + llvm::Twine(i) + " = " + llvm::Twine(dim.dim_value()) + " but computes " +
                      llvm::Twine(value.shape[i].value));
  return llvm::Error::success();
}

llvm::Error GraphImporter::run() {
  if (!model.has_graph()) return llvm::createStringError("the model has no graph");
  const ::onnx::GraphProto &graph = model.graph();
  for (const auto &entry : model.opset_import())
    opsets[entry.domain() == "ai.onnx" ? "" : entry.domain()] = entry.version();
  int64_t opset = opsets.count("") ? opsets[""] : -1;
  if (opset < 1) return llvm::createStringError("the model imports no default-domain opset");
  // Each op's handler knows the versions it implements; a newer opset may change any op.
  if (opset > 21)
    return llvm::createStringError("the model's default-domain opset is " + llvm::Twine(opset) +
                                   "; edgec imports opsets up to 21");
  if (model.ir_version() < 3 || model.ir_version() > 11)
    return llvm::createStringError("the model's IR version is " + llvm::Twine(model.ir_version()) +
                                   "; edgec reads ONNX IR versions 3 to 11");
  out.opset = opset;
  out.nodeCount = graph.node_size();

  for (const ::onnx::TensorProto &init : graph.initializer()) {
    auto value = describeConstant(init);
    if (!value) return value.takeError();
    values[init.name()] = *value;
  }
  SmallVector<Type> inputTypes;
  if (llvm::Error error = importInputs(inputTypes)) return error;

  auto module = ModuleOp::create(builder.getUnknownLoc());
  out.module = module;
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, FileLineColLoc::get(&context, fileName, 0, 0), "main",
                                   builder.getFunctionType(inputTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  symbolSources.assign(symbols.size(), {Value(), 0});
  for (auto [i, desc] : llvm::enumerate(out.signature.inputs)) {
    values[desc.name].value = body->getArgument(i);
    for (auto [d, dim] : llvm::enumerate(values[desc.name].shape))
      if (dim.isSymbol() && !symbolSources[dim.symbol].first)
        symbolSources[dim.symbol] = {body->getArgument(i), static_cast<int64_t>(d)};
  }

  for (const ::onnx::NodeProto &node : graph.node())
    if (llvm::Error error = importNode(node)) return error;

  if (graph.output_size() == 0) return llvm::createStringError("the graph has no outputs");
  out.signature.symbolExprs.resize(symbols.size()); // the input symbols: no expression
  // An input dim the graph needs equal to a combination of others becomes derived from
  // them; the runtime checks the input against it before any code runs.
  for (const auto &[symbol, dim] : dimEqualities) {
    SymbolExpr &expr = out.signature.symbolExprs[symbol];
    if (dim.isStatic()) { // the graph works for one size of this input dim only
      if ((expr.fixed && expr.constant != dim.value) || !expr.terms.empty())
        return llvm::createStringError("input dim '" + symbols[symbol] + "' must equal both " +
                                       describe(SymDim::combination(expr.constant, expr.terms), symbols) + " and " +
                                       std::to_string(dim.value));
      expr = SymbolExpr{dim.value, {}, true};
      continue;
    }
    if (expr.fixed)
      return llvm::createStringError("input dim '" + symbols[symbol] + "' must equal both " +
                                     std::to_string(expr.constant) + " and " + describe(dim, symbols));
    SymbolExpr wanted{dim.value, dim.terms};
    if (!expr.terms.empty() && (expr.constant != wanted.constant || expr.terms != wanted.terms))
      return llvm::createStringError("input dim '" + symbols[symbol] + "' must equal both " +
                                     describe(SymDim::combination(expr.constant, expr.terms), symbols) + " and " +
                                     describe(dim, symbols));
    for (const SymDim::Term &term : dim.terms)
      if (!out.signature.symbolExprs[term.first].terms.empty())
        return llvm::createStringError("input dim '" + symbols[symbol] + "' is tied to '" + symbols[term.first] +
                                       "', itself tied to other dims; edgec supports one level");
    expr = wanted;
  }
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const ::onnx::ValueInfoProto &output : graph.output()) {
    auto value = materialize(output.name());
    if (!value) return llvm::createStringError("graph output '" + output.name() + "' is never computed");
    if (llvm::Error error = checkDeclaredOutput(output, *value)) return error;
    TensorInterface desc{output.name(), 0, {}};
    desc.dtype = getDtype(value->elementType);
    for (auto [i, dim] : llvm::enumerate(value->shape)) {
      if (dim.isStatic()) desc.dims.push_back(dim.value);
      else if (dim.isSymbol()) desc.dims.push_back(-dim.symbol - 1);
      else if (dim.isSymbolic()) desc.dims.push_back(-derivedSymbol(dim, output, i) - 1);
      else
        return llvm::createStringError("graph output '" + output.name() + "' dim " + std::to_string(i) +
                                       " is not determined by the input dims, so callers could not size it");
    }
    results.push_back(value->value);
    resultTypes.push_back(value->value.getType());
    out.signature.outputs.push_back(desc);
  }
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setFunctionType(builder.getFunctionType(inputTypes, resultTypes));
  out.signature.symbols = symbols;
  return llvm::Error::success();
}

void registerImportDialects(MLIRContext &context) {
  context.loadDialect<onnx::OnnxDialect, EdgeDialect, func::FuncDialect, arith::ArithDialect,
                      tensor::TensorDialect>();
}

llvm::Expected<std::shared_ptr<::onnx::ModelProto>> loadOnnxModel(llvm::StringRef path) {
  auto fail = [&](const char *message) -> llvm::Error { return llvm::createStringError(path + ": " + message); };
  if (!llvm::sys::fs::exists(path)) return fail("no such file");
  if (!llvm::sys::fs::is_regular_file(path)) return fail("not a regular file");
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open");
  auto proto = std::make_shared<::onnx::ModelProto>();
  google::protobuf::io::FileInputStream stream(fd);
  stream.SetCloseOnDelete(true);
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT32_MAX);
  if (!proto->ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    return fail("not a valid ONNX protobuf (truncated or corrupt)");
  return proto;
}

llvm::Expected<ImportedModel> importOnnxFile(MLIRContext &context, llvm::StringRef path) {
  auto fail = [&](llvm::Error error) -> llvm::Error {
    return llvm::createStringError(path + ": " + llvm::toString(std::move(error)));
  };
  ImportedModel imported;
  auto proto = loadOnnxModel(path);
  if (!proto) return proto.takeError();
  imported.proto = *proto;
  registerImportDialects(context);
  GraphImporter importer(context, *imported.proto, path, imported);
  if (llvm::Error error = importer.run()) return fail(std::move(error));
  setModelInterface(imported.module.get(), imported.signature);
  return std::move(imported);
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

OpBuilder &NodeContext::builder() { return graph.builder; }
MLIRContext *NodeContext::context() { return &graph.context; }
const std::vector<std::string> &NodeContext::symbols() { return graph.symbols; }

std::vector<DimEquality> *NodeContext::dimEqualities() { return &graph.dimEqualities; }

llvm::Expected<SymShape> NodeContext::broadcast(const SymShape &a, const SymShape &b) {
  return broadcastShapes(a, b, graph.symbols, &graph.dimEqualities);
}

Location NodeContext::loc() {
  std::string name = node.name().empty() ? node.op_type() : node.name();
  return NameLoc::get(builder().getStringAttr(name));
}

RankedTensorType NodeContext::tensorType(const SymShape &shape, Type element) const {
  SmallVector<int64_t> dims;
  for (const SymDim &d : shape) dims.push_back(d.isStatic() ? d.value : ShapedType::kDynamic);
  return RankedTensorType::get(dims, element);
}

llvm::Expected<GraphValue> NodeContext::input(size_t i) {
  if (!hasInput(i)) return error("missing input " + llvm::Twine(i));
  auto value = graph.materialize(node.input(i));
  if (!value) return error(value.takeError());
  return value;
}

std::shared_ptr<WeightEntry> NodeContext::blockQuantizedInput(size_t i) {
  if (!hasInput(i)) return nullptr;
  auto it = graph.values.find(node.input(i));
  return it == graph.values.end() ? nullptr : it->second.blockQuantized;
}

void NodeContext::setBlockQuantizedOutput(size_t i, SymShape shape, WeightEntry entry) {
  if (static_cast<int>(i) >= node.output_size() || node.output(i).empty()) return;
  GraphValue value;
  value.shape = std::move(shape);
  value.elementType = builder().getF32Type();
  value.blockQuantized = std::make_shared<WeightEntry>(std::move(entry));
  graph.values[node.output(i)] = std::move(value);
}

std::optional<GraphValue> NodeContext::constantData(size_t i) {
  if (!hasInput(i)) return std::nullopt;
  auto it = graph.values.find(node.input(i));
  if (it == graph.values.end() || !it->second.tensor || !it->second.source) return std::nullopt;
  return it->second;
}

llvm::Expected<mlir::Value> NodeContext::addWeight(WeightEntry entry, mlir::RankedTensorType type,
                                                   llvm::ArrayRef<mlir::NamedAttribute> attrs) {
  ImportedWeights &weights = graph.out.weights;
  for (const WeightEntry &existing : weights.entries)
    if (existing.name == entry.name)
      return error("weight '" + entry.name + "' is read by more than one quantized MatMul (not supported)");
  entry.offset = (weights.dataSize + 63) / 64 * 64;
  weights.dataSize = entry.offset + entry.storedBytes();
  auto op = WeightOp::create(builder(), loc(), type, FlatSymbolRefAttr::get(context(), entry.name),
                             builder().getI64IntegerAttr(static_cast<int64_t>(entry.offset)), IntegerAttr(), UnitAttr(),
                             StringAttr(), IntegerAttr(), UnitAttr());
  for (const mlir::NamedAttribute &attr : attrs) op->setAttr(attr.getName(), attr.getValue());
  weights.entries.push_back(std::move(entry));
  return op.getResult();
}

std::optional<SymShape> NodeContext::knownInts(size_t i) {
  if (!hasInput(i)) return std::nullopt;
  auto it = graph.values.find(node.input(i));
  if (it == graph.values.end()) return std::nullopt;
  const GraphValue &value = it->second;
  if (value.ints) return value.ints;
  if (!value.tensor || value.shape.size() > 1) return std::nullopt;
  unsigned width = value.elementType.isInteger(64) ? 8 : value.elementType.isInteger(32) ? 4 : 0;
  if (!width || value.source->byteSize > 8 * 1024) return std::nullopt;
  auto bytes = readTensorData(*value.source);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  SymShape ints;
  for (size_t k = 0; k + width <= bytes->size(); k += width) {
    int64_t v;
    if (width == 8) {
      std::memcpy(&v, bytes->data() + k, 8);
    } else {
      int32_t narrow;
      std::memcpy(&narrow, bytes->data() + k, 4);
      v = narrow;
    }
    ints.push_back(SymDim::fixed(v));
  }
  return ints;
}

llvm::Expected<std::vector<int64_t>> NodeContext::requireInts(size_t i, llvm::StringRef what) {
  if (!hasInput(i)) return error("missing input " + llvm::Twine(i) + " (" + what + ")");
  std::optional<SymShape> ints = knownInts(i);
  std::vector<int64_t> result;
  if (ints)
    for (const SymDim &d : *ints) {
      if (!d.isStatic()) break;
      result.push_back(d.value);
    }
  if (!ints || result.size() != ints->size())
    return error(what + " ('" + node.input(i) + "') must be a constant integer list; it is computed at run time");
  return result;
}

llvm::Expected<std::vector<int64_t>> NodeContext::constantInts(size_t i) { return requireInts(i, "input " + std::to_string(i)); }

std::optional<double> NodeContext::constantFloat(size_t i) {
  if (!hasInput(i)) return std::nullopt;
  const GraphValue &value = graph.values.at(node.input(i));
  if (!value.tensor || !value.elementType.isF32() || value.source->byteSize != 4) return std::nullopt;
  auto bytes = readTensorData(*value.source);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  float f;
  std::memcpy(&f, bytes->data(), 4);
  return f;
}

const ::onnx::AttributeProto *NodeContext::attr(llvm::StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t NodeContext::attrInt(llvm::StringRef name, int64_t fallback) const {
  const auto *a = attr(name);
  return a ? a->i() : fallback;
}

llvm::Expected<bool> NodeContext::attrFlag(llvm::StringRef name, bool fallback) const {
  const auto *a = attr(name);
  if (!a) return fallback;
  if (a->type() != ::onnx::AttributeProto::INT || (a->i() != 0 && a->i() != 1))
    return error("attribute '" + name + "' must be the integer 0 or 1");
  return a->i() == 1;
}

float NodeContext::attrFloat(llvm::StringRef name, float fallback) const {
  const auto *a = attr(name);
  return a ? a->f() : fallback;
}

std::optional<std::vector<int64_t>> NodeContext::attrInts(llvm::StringRef name) const {
  const auto *a = attr(name);
  if (!a) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

void NodeContext::setOutput(size_t i, Value value, SymShape shape) {
  if (static_cast<int>(i) >= node.output_size() || node.output(i).empty()) return;
  GraphValue result;
  result.value = value;
  result.shape = std::move(shape);
  result.elementType = cast<RankedTensorType>(value.getType()).getElementType();
  graph.values[node.output(i)] = result;
}

void NodeContext::forwardOutput(size_t i, const GraphValue &value) {
  if (static_cast<int>(i) < node.output_size() && !node.output(i).empty()) graph.values[node.output(i)] = value;
}

llvm::Expected<TensorSource> NodeContext::attributeTensorData(const ::onnx::TensorProto &tensor, uint64_t elementSize,
                                                             uint64_t count) {
  return describeTensorData(tensor, graph.modelDir, elementSize, count);
}

llvm::Error NodeContext::setConstantOutput(size_t i, const ::onnx::TensorProto &tensor) {
  auto value = graph.describeConstant(tensor);
  if (!value) return error(value.takeError());
  forwardOutput(i, *value);
  return llvm::Error::success();
}

bool NodeContext::setKnownIntsOutput(size_t i, const SymShape &ints, Type elementType, bool scalar) {
  if (!llvm::all_of(ints, [](const SymDim &d) { return d.isKnown(); })) return false;
  if (scalar && ints.size() != 1) return false;
  OpBuilder &b = builder();
  SmallVector<int64_t> dims;
  if (!scalar) dims.push_back(static_cast<int64_t>(ints.size()));
  auto type = RankedTensorType::get(dims, elementType);
  Value result;
  if (llvm::all_of(ints, [](const SymDim &d) { return d.isStatic(); })) {
    SmallVector<APInt> values;
    for (const SymDim &d : ints) values.push_back(APInt(elementType.getIntOrFloatBitWidth(), d.value, true));
    result = arith::ConstantOp::create(b, loc(), DenseElementsAttr::get(type, values));
  } else {
    SmallVector<Value> elements;
    for (const SymDim &d : ints) {
      Value v = d.isStatic() ? arith::ConstantOp::create(b, loc(), b.getI64IntegerAttr(d.value)).getResult()
                             : knownValue(d);
      if (!elementType.isInteger(64)) v = arith::TruncIOp::create(b, loc(), elementType, v);
      elements.push_back(v);
    }
    result = tensor::FromElementsOp::create(b, loc(), type, elements);
  }
  SymShape shape;
  if (!scalar) shape.push_back(SymDim::fixed(static_cast<int64_t>(ints.size())));
  setOutput(i, result, shape);
  setOutputInts(i, ints);
  return true;
}

void NodeContext::setOutputInts(size_t i, SymShape ints) {
  if (static_cast<int>(i) >= node.output_size() || node.output(i).empty()) return;
  auto it = graph.values.find(node.output(i));
  if (it != graph.values.end()) it->second.ints = std::move(ints);
}

Value NodeContext::knownValue(const SymDim &d) {
  assert(d.isKnown() && "an unknown dim has no value of its own");
  OpBuilder &b = builder();
  if (d.isSymbol()) {
    auto [source, index] = graph.symbolSources[d.symbol];
    Value extent = tensor::DimOp::create(b, loc(), source, index);
    return arith::IndexCastOp::create(b, loc(), b.getI64Type(), extent);
  }
  // constant + sum of coefficient * named dim.
  Value sum = arith::ConstantOp::create(b, loc(), b.getI64IntegerAttr(d.value));
  for (const auto &[symbol, coefficient] : d.terms) {
    Value term = knownValue(SymDim::named(symbol));
    if (coefficient != 1)
      term = arith::MulIOp::create(b, loc(), term, arith::ConstantOp::create(b, loc(), b.getI64IntegerAttr(coefficient)));
    sum = arith::AddIOp::create(b, loc(), sum, term);
  }
  return sum;
}

Value NodeContext::dimValue(const GraphValue &value, size_t dim) {
  if (value.shape[dim].isKnown()) return knownValue(value.shape[dim]);
  Value extent = tensor::DimOp::create(builder(), loc(), value.value, static_cast<int64_t>(dim));
  return arith::IndexCastOp::create(builder(), loc(), builder().getI64Type(), extent);
}

Value NodeContext::shapeTensor(const SymShape &shape, const GraphValue &like, llvm::ArrayRef<int64_t> sources) {
  SmallVector<Value> elements;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d.isKnown()) elements.push_back(knownValue(d));
    else elements.push_back(dimValue(like, sources[i]));
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(shape.size())}, builder().getI64Type());
  return tensor::FromElementsOp::create(builder(), loc(), type, elements);
}

GraphValue NodeContext::scalarConstant(double value, Type elementType) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute element = isa<FloatType>(elementType) ? Attribute(builder().getFloatAttr(elementType, value))
                                                  : Attribute(builder().getIntegerAttr(elementType, static_cast<int64_t>(value)));
  GraphValue result;
  result.value = arith::ConstantOp::create(builder(), loc(), DenseElementsAttr::get(type, element));
  result.elementType = elementType;
  return result;
}

llvm::Error NodeContext::error(const llvm::Twine &message) const {
  std::string name = node.name().empty() ? "(unnamed)" : node.name();
  return llvm::createStringError("node '" + name + "' (" + node.op_type() + ", domain '" + node.domain() +
                                 "', opset " + std::to_string(opset) + "): " + message);
}

llvm::Error NodeContext::error(llvm::Error inner) const { return error(llvm::toString(std::move(inner))); }

} // namespace edge
