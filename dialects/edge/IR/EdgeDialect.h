//===- EdgeDialect.h - the edge dialect ------------------------*- C++ -*-===//
#ifndef EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H
#define EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/edge/IR/EdgeOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/edge/IR/EdgeOps.h.inc"

#endif // EDGE_DIALECTS_EDGE_IR_EDGEDIALECT_H
