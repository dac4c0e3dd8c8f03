//===- Passes.td - edgec target-independent transformation passes -*- tablegen -*-===//
//
// One pass per file, named alike: def FuseElementwisePass <-> flag edge-fuse-elementwise <->
// compiler/transforms/FuseElementwise.cpp <-> tests/lit/compiler/transforms/fuse-elementwise.mlir.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_TRANSFORMS_PASSES_TD
#define EDGE_COMPILER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseElementwisePass : Pass<"edge-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops, never into contractions";
  let description = [{
    Runs MLIR's elementwise fusion (producer into consumer) where both ops are
    all-parallel and the producer has no other user: a bias add, the ops of a GELU and a
    residual add become one loop nest. Contractions and reductions are left whole so
    that edge-tile-and-vectorize still recognizes them (upstream's
    linalg-fuse-elementwise-ops would fold a Relu into the next matmul's operand).

    ```mlir
    %h = linalg.generic {iterator_types = ["parallel", "parallel"]} ins(%x, %b) ... { addf }
    %g = linalg.generic {iterator_types = ["parallel", "parallel"]} ins(%h) ... { erf }
    ```
    becomes one `linalg.generic` whose body does `addf` then `erf`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def PagedAttentionPass : Pass<"edge-paged-attention", "mlir::ModuleOp"> {
  let summary = "Rewrite a causal LM's attention over past_key_values into paged attention";
  let description = [{
    Recognizes, in an imported causal LM, each attention

        present_k = Concat(past_k, k_new, axis 2)     (a graph output)
        scores    = MatMul(q, Transpose(repeat_kv(present_k))) * scale + mask
        out       = MatMul(Softmax(scores), repeat_kv(Concat(past_v, v_new, axis 2)))

    where the mask is computed from shapes only (taken to be the causal mask, which the
    kernel applies; a window built into the mask would be lost), repeat_kv is the
    Reshape/Expand/Reshape that repeats KV heads for grouped-query attention, and scale is
    a product of scalar constants. Each becomes `edge.paged_attention` (layers numbered in
    program order) that stores k_new/v_new into the runtime's KV pages and attends over
    them: the present outputs and past inputs disappear, no cache is concatenated.

    The entry then takes the runtime's attention context first (`memref<?xi8>` marked
    `edge.attention_context`), and its tokens are the batch's tokens of all sequences
    flattened into [1, tokens]. Positions computed from the past length
    (Range(past, past + sequence)) become the `position_ids` input, added when the model
    has none. An `attention_mask` input is all ones in a paged step (nothing is padded):
    its uses read a ones tensor, and the input goes. Inputs and outputs are found by their `edge.name` attributes. The function
    gets `edge.causal_lm = {num_layers, num_kv_heads, head_dim}`.

    A model without past_key_values, or without an `input_ids` input, is left unchanged.
    One whose past inputs are still read after the rewrite (an attention the pattern does
    not cover) is an error naming the input.
  }];
  let dependentDialects = ["edge::EdgeDialect", "mlir::tensor::TensorDialect", "mlir::memref::MemRefDialect"];
}

def SelectLogitsPass : Pass<"edge-select-logits", "mlir::ModuleOp"> {
  let summary = "Compute a causal LM's logits only for the tokens that are sampled";
  let description = [{
    In a step of a causal LM (a function with `edge.causal_lm`), only the last token of
    each sequence is sampled, yet the graph computes logits for every token: in a prefill
    chunk that is the largest matmul of the model (tokens x hidden x vocabulary) and a
    tokens x vocabulary buffer. This pass adds an input `logits_indices` (i64 [rows]) and
    gathers those rows of the hidden state right before the vocabulary projection, so the
    logits are [1, rows, vocab].

    It applies when the logits result is `MatMul(hidden [1, tokens, H], W)` followed only
    by ops that combine it with token-independent values (a bias, a scale, a softcap); the
    function then gets `select_logits` in its `edge.causal_lm` attribute. Otherwise the
    function is left as it is.
  }];
  let dependentDialects = ["edge::EdgeDialect"];
}

def NameEntryValuesPass : Pass<"edge-name-entry-values", "mlir::ModuleOp"> {
  let summary = "Name the entry's arguments and results after the module's edge.model interface";
  let description = [{
    Sets `edge.name` on each argument and result of `@main` to the name of the input or
    output the module's `edge.model` attribute lists at that position. The signature
    rewrites of causal LMs find graph inputs by these names and name what they add;
    `edge-causal-lm-interface` removes them again. Fails when the entry and the interface
    disagree on the number of inputs or outputs.
  }];
}

def CausalLMInterfacePass : Pass<"edge-causal-lm-interface", "mlir::ModuleOp"> {
  let summary = "Rebuild edge.model from the entry the paged-attention rewrite left";
  let description = [{
    When `@main` carries `edge.causal_lm`, the module's `edge.model` interface is rebuilt
    from the `edge.name`s on the entry: past inputs and present outputs are gone,
    `position_ids` (shaped like `input_ids`) and `logits_indices` (i64 [rows], a new symbol)
    are added, symbols no tensor uses any more are dropped, and `causal_lm` records the
    KV-cache geometry and the indices of input_ids, position_ids, logits and
    logits_indices, and `max_positions`: the fewest rows of a table a Gather reads at the
    position ids (through reshapes and integer casts), so that the runtime never lets a
    session past a learned position embedding or a RoPE cos/sin cache. Refuses (naming what is wrong) a step that does not have exactly these
    inputs and one f32 [batch, sequence, vocab] output. Then removes the names, for every
    module.
  }];
}

def PlanQuantizationPass : Pass<"edge-plan-quantization", "mlir::ModuleOp"> {
  let summary = "Choose each weight's stored format for --quant and --quant-override";
  let description = [{
    Marks edge.weight ops with `quant` and `quant_block` for edge-quantize-weights. A
    candidate is a 2-D f32 weight read only by MatMul, Gemm (B) or a Gather by the token
    ids (the token embedding); other tables (positions, RoPE) stay exact. `mode` gives
    every candidate one format, or `mixed`: q4_0, with the token embedding, the logits
    projection (rows = the vocabulary) and the quarter of the other matrices with the
    worst q4_0 error at q8_0 (the error comes from a measure the driver provides; without
    one every unpinned matrix stays q4_0). `override` entries PATTERN=FORMAT (f32, q8_0,
    q4_0, q4_1; globs over weight names, later ones win) pin a weight's format. A weight
    whose reduction dim the block does not divide stays f32, with a remark. Every 2-D
    weight that stays f32 gets `edge.quant_note`, why.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"none\"", "none, q8_0, q4_0, q4_1 or mixed">,
    ListOption<"overrides", "override", "std::string", "PATTERN=FORMAT, later ones win">,
    Option<"block", "block", "int64_t", /*default=*/"32", "values per block">,
  ];
}

def QuantizeWeightsPass : Pass<"edge-quantize-weights", "mlir::ModuleOp"> {
  let summary = "Store the weights the driver chose in block-quantized form and read them with quantized ops";
  let description = [{
    Runs on the onnx dialect. An f32 `edge.weight` carrying `quant` and `quant_block` (set
    by the driver from `--quant`, `--quant-override`) becomes the bytes of its quantized
    form (rows of the reduction dim, edge/weights_format.h), and every op reading it is
    rewritten: MatMul (right operand, 2-D or 3-D left operand) and Gemm (B; alpha 1, no
    transA, beta 1, the bias added after) into `edge.quantized_matmul` over the left
    operand's rows, Gather along axis 0 by 1-D or 2-D indices into
    `edge.quantized_embedding`. A requested weight read any other way, or whose
    reduction dim is not a multiple of the block, is an error naming it.

    ```mlir
    %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64} : tensor<64x32xf32>
    %y = onnx.MatMul %x, %w : (tensor<1x?x64xf32>, tensor<64x32xf32>) -> tensor<1x?x32xf32>
    ```
    becomes
    ```mlir
    %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64, quant_from_kn} : tensor<2176xi8>
    %init = tensor.empty(%d) : tensor<1x?x32xf32>
    %y = edge.quantized_matmul "q8_0" block 32 %x, %w into %init : ... -> tensor<1x?x32xf32>
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

#endif // EDGE_COMPILER_TRANSFORMS_PASSES_TD
