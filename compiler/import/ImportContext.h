//===- ImportContext.h - state shared by the graph and op importers -*- C++ -*-===//
#ifndef EDGE_COMPILER_IMPORT_IMPORTCONTEXT_H
#define EDGE_COMPILER_IMPORT_IMPORTCONTEXT_H

#include <map>
#include <memory>
#include <optional>

#include "compiler/import/ImportedWeights.h"
#include "compiler/import/SymbolicShape.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "onnx/onnx_pb.h"

namespace edge {

/// A value of the graph: either materialized in the IR, or an initializer / Constant
/// that becomes an `edge.weight` or `arith.constant` at its first use.
struct GraphValue {
  mlir::Value value;
  SymShape shape;
  mlir::Type elementType;
  // Not yet materialized: where the data is.
  const ::onnx::TensorProto *tensor = nullptr;
  std::optional<TensorSource> source;
  /// For small integer tensors (rank <= 1) that exporters compute shapes with: what is
  /// known of each element (static, a named dim, or unknown).
  std::optional<SymShape> ints;
  /// A weight kept block-quantized (a blocked DequantizeLinear of an initializer): the
  /// entry a MatMul adds when it reads this value as its right operand; nothing else may.
  std::shared_ptr<WeightEntry> blockQuantized;
};

/// Maps an ONNX element type to the IR element type, the ABI dtype and its size.
struct ElementKind {
  mlir::Type type;
  uint32_t dtype = 0;
  uint64_t size = 0;
};
std::optional<ElementKind> getElementKind(mlir::MLIRContext *context, int32_t onnxType);

class GraphImporter;

/// What an op handler sees of one node.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const ::onnx::NodeProto &node, int64_t opset)
      : graph(graph), node(node), opset(opset) {}

  const ::onnx::NodeProto &getNode() const { return node; }
  int64_t getOpset() const { return opset; }
  mlir::OpBuilder &builder();
  mlir::Location loc();
  mlir::MLIRContext *context();
  const std::vector<std::string> &symbols();
  /// Numpy broadcasting of two shapes (broadcastShapes), recording the equalities of
  /// named input dims it relies on; the runtime checks them before a run.
  llvm::Expected<SymShape> broadcast(const SymShape &a, const SymShape &b);
  /// Where equalities of named input dims the graph relies on are recorded (checked by the
  /// runtime before a run).
  std::vector<DimEquality> *dimEqualities();

  size_t numInputs() const { return node.input_size(); }
  bool hasInput(size_t i) const { return i < numInputs() && !node.input(i).empty(); }
  /// The i-th input, materialized.
  llvm::Expected<GraphValue> input(size_t i);
  /// The i-th input's values when it is a constant integer tensor (shapes, axes).
  llvm::Expected<std::vector<int64_t>> constantInts(size_t i);
  /// The i-th input's splat value when it is a constant float scalar or splat.
  std::optional<double> constantFloat(size_t i);
  /// What is known of the i-th input's elements when it is a small integer tensor (rank
  /// <= 1): a constant, or computed from shapes (Shape → Gather → Concat chains).
  std::optional<SymShape> knownInts(size_t i);
  /// The i-th input's data when it is an initializer or Constant not yet in the IR (its
  /// source and shape); nullopt otherwise.
  std::optional<GraphValue> constantData(size_t i);
  /// Adds `entry` (dims, dtype and sources set; offset assigned here) to NAME.weights and
  /// returns its edge.weight of type `type`, carrying `attrs` (quant, quant_block). An
  /// error if a weight of that name exists (one pre-quantized weight read twice).
  llvm::Expected<mlir::Value> addWeight(WeightEntry entry, mlir::RankedTensorType type,
                                        llvm::ArrayRef<mlir::NamedAttribute> attrs);
  /// The pending block-quantized weight input i stands for (see GraphValue), if any.
  std::shared_ptr<WeightEntry> blockQuantizedInput(size_t i);
  /// Defines output i as a block-quantized weight of logical shape `shape` (f32).
  void setBlockQuantizedOutput(size_t i, SymShape shape, WeightEntry entry);
  /// The i-th input when it holds a constant int64 list; an error otherwise (naming it).
  llvm::Expected<std::vector<int64_t>> requireInts(size_t i, llvm::StringRef what);

  const ::onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t fallback) const;
  /// A 0/1 attribute (Gemm's transA): anything but the integer 0 or 1 is an error.
  llvm::Expected<bool> attrFlag(llvm::StringRef name, bool fallback) const;
  float attrFloat(llvm::StringRef name, float fallback) const;
  std::optional<std::vector<int64_t>> attrInts(llvm::StringRef name) const;

  /// Defines output i (a name may be empty: the output is unused).
  void setOutput(size_t i, mlir::Value value, SymShape shape);
  /// Defines output i as an existing graph value (Identity).
  void forwardOutput(size_t i, const GraphValue &value);
  /// Where an attribute's tensor keeps its data (inline, or external data confined to the
  /// model's folder like an initializer's), checked to hold `count` elements.
  llvm::Expected<TensorSource> attributeTensorData(const ::onnx::TensorProto &tensor, uint64_t elementSize,
                                                   uint64_t count);
  /// Defines output i as a not-yet-materialized constant tensor (Constant).
  llvm::Error setConstantOutput(size_t i, const ::onnx::TensorProto &tensor);
  /// Defines output i as a small integer tensor (rank 1, or rank 0 when `scalar`) known
  /// element by element: a constant, or the graph input dims it is made of. This is how
  /// exporter shape arithmetic folds away. Returns false, emitting nothing, if an element is
  /// unknown; the caller then emits the real op and may attach what it knows (setOutputInts).
  bool setKnownIntsOutput(size_t i, const SymShape &ints, mlir::Type elementType, bool scalar = false);
  void setOutputInts(size_t i, SymShape ints);

  /// Extent of dim `dim` of `value` as an i64 scalar value (constant when static).
  mlir::Value dimValue(const GraphValue &value, size_t dim);
  /// The i64 value of a static or symbolic dim (named dims read from the graph inputs).
  mlir::Value knownValue(const SymDim &dim);
  /// A 1-D i64 tensor of `shape` at run time; a dim that is neither static nor a named dim
  /// is read from dim `sources[i]` of `like`.
  mlir::Value shapeTensor(const SymShape &shape, const GraphValue &like, llvm::ArrayRef<int64_t> sources);
  /// A rank-0 constant of `elementType` (a float or integer type).
  GraphValue scalarConstant(double value, mlir::Type elementType);

  /// An error that names the node: "node 'n' (MatMul, domain '', opset 17): message".
  llvm::Error error(const llvm::Twine &message) const;
  /// Wraps an error from a helper with the node's name.
  llvm::Error error(llvm::Error inner) const;

  /// The tensor type of a symbolic shape.
  mlir::RankedTensorType tensorType(const SymShape &shape, mlir::Type element) const;

private:
  GraphImporter &graph;
  const ::onnx::NodeProto &node;
  int64_t opset;
};

/// A handler imports one node; it is registered for an ONNX op and the first opset its
/// semantics apply to (see OpHandlers.cpp).
using OpHandler = llvm::Error (*)(NodeContext &node);

/// The handler for `node` at `opset` (of the node's domain), or an error saying what is
/// missing: the domain, the op, or an attribute (named).
llvm::Expected<OpHandler> findOpHandler(const ::onnx::NodeProto &node, int64_t opset);
/// An ONNX element type for messages: its name and number ("BFLOAT16 (16)").
std::string onnxTypeName(int32_t type);
bool isSupportedDomain(llvm::StringRef domain);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_IMPORTCONTEXT_H
