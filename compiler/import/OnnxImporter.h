//===- OnnxImporter.h - ONNX protobuf → onnx dialect -----------*- C++ -*-===//
#ifndef EDGE_COMPILER_IMPORT_ONNXIMPORTER_H
#define EDGE_COMPILER_IMPORT_ONNXIMPORTER_H

#include <memory>

#include "compiler/import/ImportedWeights.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace onnx {
class ModelProto;
}

namespace edge {

struct ImportedModel {
  /// Owns the inline tensor data that weight sources point into.
  std::shared_ptr<::onnx::ModelProto> proto;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// The graph's interface as imported, also recorded on the module as edge.model (which
  /// passes keep up to date: read that one after import).
  ModelInterface signature;
  /// The NAME.weights tensors with their sources.
  ImportedWeights weights;
  int64_t opset = 0;
  size_t nodeCount = 0;
};

/// Reads and parses `path` (up to 2 GiB; larger models keep weights as external data).
llvm::Expected<std::shared_ptr<::onnx::ModelProto>> loadOnnxModel(llvm::StringRef path);

/// Imports `path`: validates the protobuf, the graph's references and every initializer's
/// data location; builds `func.func @main` of onnx ops with weights as `edge.weight`
/// references (offsets of the NAME.weights layout) and small constants as
/// `arith.constant`. Errors name the file and the node (op type, domain, opset, name).
llvm::Expected<ImportedModel> importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path);

/// Registers the dialects the importer produces.
void registerImportDialects(mlir::MLIRContext &context);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_ONNXIMPORTER_H
