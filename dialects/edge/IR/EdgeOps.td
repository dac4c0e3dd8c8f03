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
include "mlir/Interfaces/DestinationStyleOpInterface.td"
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

def Edge_PagedAttentionOp : Edge_Op<"paged_attention", [
    DestinationStyleOpInterface, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "causal attention over the runtime's paged KV cache, appending the new keys and values";
  let description = [{
    Replaces `softmax(Q K^T * scale + causal mask) V` of a causal LM whose K and V are the
    model's `past_key_values` concatenated with the step's new keys and values
    (`edge-paged-attention`). `query` is [1, heads, tokens, head_dim]; `key` and `value`
    are the tokens' new entries, [1, kv_heads, tokens, head_dim] (query head h reads KV
    head h / (heads / kv_heads)). The tokens of one call may belong to several sequences:
    `context` is the runtime's attention context of the step (runtime/cpu/attention_batch.h),
    naming each token's sequence, position and page table. The op stores the new keys and
    values of `layer` into those pages, then writes each token's attention over its
    sequence's positions up to its own into `init`.

    On tensors it returns the filled `init`; after bufferization it writes `init` in place
    and `edge-lower-paged-attention` turns it into a call of the runtime kernel.

    ```mlir
    %o = edge.paged_attention layer 0 scale 2.500000e-01 %ctx, %q, %k, %v into %init
        : memref<?xi8>, tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>,
          tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
    ```
  }];
  let arguments = (ins MemRefRankOf<[I8], [1]>:$context, AnyTypeOf<[TensorRankOf<[F32], [4]>, MemRefRankOf<[F32], [4]>]>:$query,
                       AnyTypeOf<[TensorRankOf<[F32], [4]>, MemRefRankOf<[F32], [4]>]>:$key, AnyTypeOf<[TensorRankOf<[F32], [4]>, MemRefRankOf<[F32], [4]>]>:$value,
                       AnyTypeOf<[TensorRankOf<[F32], [4]>, MemRefRankOf<[F32], [4]>]>:$init, I64Attr:$layer, F32Attr:$scale);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    `layer` $layer `scale` $scale $context `,` $query `,` $key `,` $value `into` $init attr-dict
    `:` type($context) `,` type($query) `,` type($key) `,` type($value) `,` type($init)
    (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasVerifier = 1;
}

#endif // EDGE_EDGE_OPS_TD
