//===- OnnxBase.td - the onnx dialect ----------------------*- tablegen -*-===//
//
// One op per supported ONNX operator. Ops carry ONNX semantics (numpy broadcasting,
// negative axes) and the importer has already resolved opset differences, so that an op
// here means the same thing whatever opset the model was exported with.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_ONNX_BASE_TD
#define EDGE_ONNX_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::edge::onnx";
  let summary = "ONNX operators as imported by edgec";
  let description = [{
    Tensors in this dialect are builtin ranked tensors; dynamic (symbolic) ONNX dims are
    `?`. Weights are `edge.weight` ops, never element attributes, and small constants
    (shapes, axes, scalars) are `arith.constant`.
  }];
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, !listconcat(traits, [Pure])>;

#endif // EDGE_ONNX_BASE_TD
