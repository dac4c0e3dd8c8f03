//===- EdgeOps.td - the edge dialect -----------------------*- tablegen -*-===//
//
// Transformer-level ops and references into the weights file. Fusion decisions become
// visible here; this first version holds the weight reference that keeps tensor data out
// of the IR.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_EDGE_OPS_TD
#define EDGE_EDGE_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Edge_Dialect : Dialect {
  let name = "edge";
  let cppNamespace = "::edge";
  let summary = "edgec's transformer-level ops and weight references";
}

class Edge_Op<string mnemonic, list<Trait> traits = []>
    : Op<Edge_Dialect, mnemonic, traits>;

def Edge_WeightOp : Edge_Op<"weight", [Pure]> {
  let summary = "a read-only tensor stored in the model's weights file";
  let description = [{
    Names a tensor of NAME.weights by its ONNX initializer name and gives its byte offset in
    the file's data section, as laid out by the weight packer. The data never enters the
    IR; `edge-bind-weights` turns the op into a view of the weights buffer that the entry
    function receives.

    ```mlir
    %w = edge.weight @"fc1.weight" offset 0 : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, I64Attr:$offset);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$name `offset` $offset attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // EDGE_EDGE_OPS_TD
