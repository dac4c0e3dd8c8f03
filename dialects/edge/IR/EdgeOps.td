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
  // The module's `edge.model` interface (dialects/edge/IR/ModelInterface.h).
  let hasOperationAttrVerify = 1;
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

    A weight may be stored block-quantized (`quant` = "q8_0", "q4_0" or "q4_1", blocks of
    `quant_block` values; edge/weights_format.h; or their `_x4` forms "q8_0x4", "q4_0x4",
    "q4_1x4", the same blocks with four rows interleaved, which
    `edge-interleave-quantized-rows` picks for four-row ukernels): its type is then the bytes,
    tensor<SIZE x i8>, of N rows of K values, N being the 2-D ONNX tensor's second dim when
    `quant_from_kn` (a MatMul's [K, N] weight, stored transposed) and its first otherwise.
    On an f32-typed weight the attribute is a request that `edge-quantize-weights` carries out.

    ```mlir
    %w = edge.weight @"fc1.weight" offset 0 {quant = "q4_0", quant_block = 32 : i64, quant_from_kn} : tensor<4608xi8>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, I64Attr:$offset, OptionalAttr<I64Attr>:$pack_n,
                       UnitAttr:$pack_from_nk, OptionalAttr<StrAttr>:$quant, OptionalAttr<I64Attr>:$quant_block,
                       UnitAttr:$quant_from_kn);
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
    `context` is the runtime's attention context of the step (runtime/abi/attention_batch.h),
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

def Edge_QuantizedMatmulOp : Edge_Op<"quantized_matmul", [
    DestinationStyleOpInterface, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "f32 rows times block-quantized weights: init[m, n] = sum_k input[m, k] * W[n, k]";
  let description = [{
    `weight` holds the bytes of a block-quantized edge.weight (`format` q8_0, q4_0 or q4_1,
    or their `_x4` forms with N a multiple of 4 and blocks of a multiple of 32; `block_size`
    values per block): N rows of K values. `input` is [M, K] or [B, M, K] and
    `init` [M, N] or [B, M, N] (rows of a batch are rows). The input rows are quantized to
    int8 per block on the fly and each block is one integer dot product
    (runtime/ukernels/qmatmul.h). On tensors it returns the filled `init` [M, N]; after
    bufferization it writes `init` in place and `edge-lower-ukernel-ops` turns it into a
    call of the target's ukernel.

    ```mlir
    %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init
        : tensor<1x?x64xf32>, tensor<4608xi8>, tensor<1x?x128xf32> -> tensor<1x?x128xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[TensorRankOf<[F32], [2, 3]>, MemRefRankOf<[F32], [2, 3]>]>:$input,
                       AnyTypeOf<[TensorRankOf<[I8], [1]>, MemRefRankOf<[I8], [1]>]>:$weight,
                       AnyTypeOf<[TensorRankOf<[F32], [2, 3]>, MemRefRankOf<[F32], [2, 3]>]>:$init,
                       StrAttr:$format, I64Attr:$block_size);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $format `block` $block_size $input `,` $weight `into` $init attr-dict
    `:` type($input) `,` type($weight) `,` type($init) (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasVerifier = 1;
}

def Edge_QuantizedEmbeddingOp : Edge_Op<"quantized_embedding", [
    DestinationStyleOpInterface, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "rows of a block-quantized table, dequantized: init[i, :] = table[indices[i], :]";
  let description = [{
    A token embedding (ONNX Gather of a table by the model's input_ids) whose table is a
    block-quantized edge.weight of `rows` rows; `indices` is [T] or [B, T] and `init`
    [T, width] or [B, T, width]. Negative indices count from the end, as in
    Gather; indices outside [-rows, rows) give rows of zeros (the runtime checks token ids
    before a run, so these never occur in a valid one).

    ```mlir
    %e = edge.quantized_embedding "q8_0" block 32 rows 1024 %ids, %table into %init
        : tensor<1x?xi64>, tensor<208896xi8>, tensor<1x?x192xf32> -> tensor<1x?x192xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[TensorRankOf<[I64], [1, 2]>, MemRefRankOf<[I64], [1, 2]>]>:$indices,
                       AnyTypeOf<[TensorRankOf<[I8], [1]>, MemRefRankOf<[I8], [1]>]>:$table,
                       AnyTypeOf<[TensorRankOf<[F32], [2, 3]>, MemRefRankOf<[F32], [2, 3]>]>:$init,
                       StrAttr:$format, I64Attr:$block_size, I64Attr:$rows);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $format `block` $block_size `rows` $rows $indices `,` $table `into` $init attr-dict
    `:` type($indices) `,` type($table) `,` type($init) (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasVerifier = 1;
}

def Edge_PanelMatmulOp : Edge_Op<"panel_matmul", [
    DestinationStyleOpInterface, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "f32 rows times a panel-packed f32 weight: init[m, n] (+)= sum_k input[m, k] * W[n / P, k, n % P]";
  let description = [{
    `weight` is an f32 edge.weight stored in column panels by `edge-pack-weights`:
    [N / P, K, P], each P-wide panel of the [K, N] matrix one contiguous run. `input` is
    [M, K] or [B, M, K] and `init` [M, N] or [B, M, N] (rows of a batch are rows). With
    `accumulate` the products are added to `init` (a contraction's accumulator), and
    `init` is read; without, they are summed from zero and `init` is only written (so a
    zero-filled accumulator needs neither its fill nor, when several matmuls would share
    one, a copy of it). Every output value is
    summed over k in order, one fused multiply-add per step, whatever the rows and
    columns computed with it, so a result never depends on the batch or the thread count
    (runtime/ukernels/panel_matmul.h). `edge-use-panel-ukernel` forms it from the
    contractions of packed weights; on tensors it returns the filled `init`, after
    bufferization it writes `init` in place and `edge-lower-ukernel-ops` turns it into a
    call of the target's ukernel, which splits the columns over the run's threads.

    ```mlir
    %y = edge.panel_matmul %x, %w into %init
        : tensor<1x?x64xf32>, tensor<8x64x16xf32>, tensor<1x?x128xf32> -> tensor<1x?x128xf32>
    %z = edge.panel_matmul %x, %w into %y accumulate
        : tensor<1x?x64xf32>, tensor<8x64x16xf32>, tensor<1x?x128xf32> -> tensor<1x?x128xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[TensorRankOf<[F32], [2, 3]>, MemRefRankOf<[F32], [2, 3]>]>:$input,
                       AnyTypeOf<[TensorRankOf<[F32], [3]>, MemRefRankOf<[F32], [3]>]>:$weight,
                       AnyTypeOf<[TensorRankOf<[F32], [2, 3]>, MemRefRankOf<[F32], [2, 3]>]>:$init,
                       UnitAttr:$accumulate);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $input `,` $weight `into` $init (`accumulate` $accumulate^)? attr-dict
    `:` type($input) `,` type($weight) `,` type($init) (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasVerifier = 1;
}

#endif // EDGE_EDGE_OPS_TD
