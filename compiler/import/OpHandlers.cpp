//===- OpHandlers.cpp - the registry of ONNX op handlers (default domain) -===//
//
// The registry maps (op type, since-version) to a handler; a model's opset picks the
// newest handler whose since-version it reaches. Handlers resolve opset differences
// (attributes that became inputs) so that onnx dialect ops mean one thing, and fold the
// shape arithmetic exporters emit (see ImportContext.h, knownInts). Adding an op: an ODS
// def in dialects/onnx/IR/OnnxOps.td (or a decomposition into existing ops) and a handler
// in the family file under handlers/.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/handlers/HandlerUtils.h"

#include "llvm/ADT/StringExtras.h"

namespace edge {
namespace {

const HandlerTable &registry(llvm::StringRef domain) {
  static const HandlerTable standard = [] {
    HandlerTable t;
    addElementwiseHandlers(t);
    addShapeHandlers(t);
    addNnHandlers(t);
    addQuantizedHandlers(t);
    return t;
  }();
  static const HandlerTable contrib = [] {
    HandlerTable t;
    addContribHandlers(t);
    addQuantizedContribHandlers(t);
    return t;
  }();
  static const HandlerTable none;
  if (domain.empty() || domain == "ai.onnx") return standard;
  if (domain == "com.microsoft") return contrib;
  return none;
}

} // namespace

llvm::Expected<std::vector<int64_t>> normalizeAxes(NodeContext &node, llvm::ArrayRef<int64_t> axes, size_t rank) {
  std::vector<int64_t> result;
  std::vector<bool> seen(rank, false);
  for (int64_t axis : axes) {
    int64_t a = normalizeAxis(axis, rank);
    if (a < 0 || a >= static_cast<int64_t>(rank))
      return node.error("axis " + llvm::Twine(axis) + " out of range for rank " + llvm::Twine(rank));
    if (seen[a]) return node.error("axis " + llvm::Twine(axis) + " repeated");
    seen[a] = true;
    result.push_back(a);
  }
  return result;
}

bool isSupportedDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx" || domain == "com.microsoft";
}

llvm::Expected<OpHandler> findOpHandler(const ::onnx::NodeProto &node, int64_t opset) {
  if (!isSupportedDomain(node.domain())) return llvm::createStringError("unsupported domain '" + node.domain() + "'");
  const HandlerTable &table = registry(node.domain());
  auto it = table.find(node.op_type());
  const Registration *best = nullptr;
  if (it != table.end())
    for (const Registration &r : it->second)
      if (r.sinceVersion <= opset && (!best || r.sinceVersion > best->sinceVersion)) best = &r;
  if (!best) return llvm::createStringError("unsupported op");
  for (const auto &attribute : node.attribute())
    if (!llvm::is_contained(best->attributes, attribute.name()))
      return llvm::createStringError("unsupported attribute '" + attribute.name() + "'" +
                                     (best->attributes.empty() ? std::string(" (the op takes none)")
                                                               : " (supported: " + llvm::join(best->attributes, ", ") + ")"));
  return best->handler;
}

std::string onnxTypeName(int32_t type) {
  std::string name = ::onnx::TensorProto_DataType_IsValid(type)
                         ? ::onnx::TensorProto_DataType_Name(static_cast<::onnx::TensorProto_DataType>(type))
                         : "unknown";
  return name + " (" + std::to_string(type) + ")";
}

} // namespace edge
