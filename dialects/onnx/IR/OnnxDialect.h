//===- OnnxDialect.h - the onnx dialect ------------------------*- C++ -*-===//
#ifndef EDGE_DIALECTS_ONNX_IR_ONNXDIALECT_H
#define EDGE_DIALECTS_ONNX_IR_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/onnx/IR/OnnxOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/IR/OnnxOps.h.inc"

#endif // EDGE_DIALECTS_ONNX_IR_ONNXDIALECT_H
