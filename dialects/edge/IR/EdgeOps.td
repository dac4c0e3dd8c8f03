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

    A weight may be stored re-laid out for the kernels that read it (`edge-pack-weights`):
    with `pack_n = P`, a 2-D ONNX tensor [K, N] (or [N, K] with `pack_from_nk`) is stored
    as [N / P, K, P], so that a P-wide column panel of the weights is one contiguous run.
    The packer writes exactly the layout the op's type states.
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, I64Attr:$offset, OptionalAttr<I64Attr>:$pack_n,
                       UnitAttr:$pack_from_nk);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$name `offset` $offset attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // EDGE_EDGE_OPS_TD
