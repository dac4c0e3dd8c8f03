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

namespace edge {
namespace {

const HandlerTable &registry() {
  static const HandlerTable table = [] {
    HandlerTable t;
    addElementwiseHandlers(t);
    addShapeHandlers(t);
    addNnHandlers(t);
    return t;
  }();
  return table;
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

OpHandler lookupOpHandler(llvm::StringRef opType, int64_t opset) {
  auto it = registry().find(opType);
  if (it == registry().end()) return nullptr;
  OpHandler best = nullptr;
  int64_t bestVersion = -1;
  for (const Registration &r : it->second)
    if (r.sinceVersion <= opset && r.sinceVersion > bestVersion) {
      best = r.handler;
      bestVersion = r.sinceVersion;
    }
  return best;
}

std::vector<std::string> supportedOpTypes() {
  std::vector<std::string> names;
  for (const auto &entry : registry()) names.push_back(entry.getKey().str());
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace edge
