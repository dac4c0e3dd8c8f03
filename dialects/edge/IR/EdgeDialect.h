//===- EdgeDialect.h - the edge dialect ------------------------*- C++ -*-===//
#ifndef EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H
#define EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H

#include <vector>

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/edge/IR/EdgeOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/edge/IR/EdgeOps.h.inc"

namespace edge {
/// The weights-file dtype (edge_dtype_t) of a quantized format name ("q8_0", "q4_0",
/// "q4_1"); 0 for anything else.
uint32_t weightFormatDtype(llvm::StringRef format);
/// Bytes of one block of `block` values in `format` (edge/weights_format.h); 0 if unknown.
int64_t weightBlockBytes(llvm::StringRef format, int64_t block);

/// The edge.weight ops of a module grouped by weight name, the weights in file order
/// (the order of their offsets; the importer's until edge-lay-out-weights places them).
struct WeightsByName {
  std::vector<llvm::StringRef> names;                     ///< each weight once, in file order
  llvm::StringMap<llvm::SmallVector<WeightOp, 1>> ops;    ///< every op reading it
};
WeightsByName collectWeightsByName(mlir::Operation *root);
} // namespace edge

#endif // EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H
