// RUN: edge-opt --split-input-file --verify-diagnostics --edge-causal-lm-interface %s | FileCheck %s

// After the paged-attention rewrite: the past input and the present output are gone,
// position_ids was added. The interface follows: two inputs, one output, the symbols the
// past and total lengths used are dropped, and causal_lm records the geometry.
// CHECK: module attributes {edge.model = {causal_lm = {head_dim = 4 : i64, input_ids = 0 : i64, logits = 0 : i64, num_kv_heads = 2 : i64, num_layers = 1 : i64, position_ids = 1 : i64, vocab_size = 8 : i64},
// CHECK-SAME: inputs = [{dims = array<i64: 1, -1>, dtype = "i64", name = "input_ids"}, {dims = array<i64: 1, -1>, dtype = "i64", name = "position_ids"}],
// CHECK-SAME: outputs = [{dims = array<i64: 1, -1, 8>, dtype = "f32", name = "logits"}], symbol_exprs = [array<i64>], symbols = ["sequence"]}}
// CHECK-NOT: edge.name
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>},
              {name = "past_key_values.0.key", dtype = "f32", dims = array<i64: 1, 2, -2, 4>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>},
               {name = "present.0.key", dtype = "f32", dims = array<i64: 1, 2, -3, 4>}],
    symbols = ["sequence", "past_sequence", "total_sequence"],
    symbol_exprs = [array<i64>, array<i64>, array<i64: 0, 0, 1, 1, 1>]}} {
  func.func @main(%context: memref<?xi8> {edge.attention_context}, %ids: tensor<1x?xi64> {edge.name = "input_ids"},
                  %positions: tensor<1x?xi64> {edge.name = "position_ids"}) -> (tensor<1x?x8xf32> {edge.name = "logits"})
      attributes {edge.causal_lm = {num_layers = 1 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}} {
    %c1 = arith.constant 1 : index
    %tokens = tensor.dim %ids, %c1 : tensor<1x?xi64>
    %logits = tensor.empty(%tokens) : tensor<1x?x8xf32>
    return %logits : tensor<1x?x8xf32>
  }
}

// -----

// The tables read at the positions bound them: a 32-row cos cache through a reshape and a
// 16-row position embedding through an integer cast give max_positions = 16. Positions
// cast to floats (RoPE computed arithmetically) and a Gather that uses them as its table
// set no bound.
// CHECK: causal_lm = {head_dim = 4 : i64, input_ids = 0 : i64, logits = 0 : i64, max_positions = 16 : i64,
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>}],
    symbols = ["sequence"], symbol_exprs = [array<i64>]}} {
  func.func @main(%context: memref<?xi8> {edge.attention_context}, %ids: tensor<1x?xi64> {edge.name = "input_ids"},
                  %positions: tensor<1x?xi64> {edge.name = "position_ids"}) -> (tensor<1x?x8xf32> {edge.name = "logits"})
      attributes {edge.causal_lm = {num_layers = 1 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}} {
    %c1 = arith.constant 1 : index
    %tokens = tensor.dim %ids, %c1 : tensor<1x?xi64>
    %cos = tensor.empty() : tensor<32x2xf32>
    %flat = tensor.collapse_shape %positions [[0, 1]] : tensor<1x?xi64> into tensor<?xi64>
    %rows = onnx.Gather %cos, %flat : (tensor<32x2xf32>, tensor<?xi64>) -> tensor<?x2xf32>
    %table = tensor.empty() : tensor<16x8xf32>
    %narrow = onnx.Cast %positions : tensor<1x?xi64> to tensor<1x?xi32>
    %embedded = onnx.Gather %table, %narrow : (tensor<16x8xf32>, tensor<1x?xi32>) -> tensor<1x?x8xf32>
    %angles = onnx.Cast %positions : tensor<1x?xi64> to tensor<1x?xf32>
    %picked = onnx.Gather %positions, %ids : (tensor<1x?xi64>, tensor<1x?xi64>) -> tensor<1x?x?xi64>
    %logits = tensor.empty(%tokens) : tensor<1x?x8xf32>
    return %logits : tensor<1x?x8xf32>
  }
}

// -----

// Without a table read at the positions there is no bound to record.
// CHECK: causal_lm = {head_dim = 4 : i64, input_ids = 0 : i64, logits = 0 : i64, num_kv_heads = 2 : i64,
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>}],
    symbols = ["sequence"], symbol_exprs = [array<i64>]}} {
  func.func @main(%context: memref<?xi8> {edge.attention_context}, %ids: tensor<1x?xi64> {edge.name = "input_ids"},
                  %positions: tensor<1x?xi64> {edge.name = "position_ids"}) -> (tensor<1x?x8xf32> {edge.name = "logits"})
      attributes {edge.causal_lm = {num_layers = 1 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}} {
    %c1 = arith.constant 1 : index
    %tokens = tensor.dim %ids, %c1 : tensor<1x?xi64>
    %angles = onnx.Cast %positions : tensor<1x?xi64> to tensor<1x?xf32>
    %logits = tensor.empty(%tokens) : tensor<1x?x8xf32>
    return %logits : tensor<1x?x8xf32>
  }
}

// -----

// A graph the rewrite did not recognize keeps its interface; only the names go.
// CHECK: module attributes {edge.model = {inputs = [{dims = array<i64: 4>, dtype = "f32", name = "x"}]
// CHECK-NOT: edge.name
module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f32", dims = array<i64: 4>}], outputs = [], symbols = [], symbol_exprs = []}} {
  func.func @main(%x: tensor<4xf32> {edge.name = "x"}) {
    return
  }
}

// -----

module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>}],
    symbols = ["sequence"], symbol_exprs = [array<i64>]}} {
  // expected-error @+1 {{causal LM: entry argument 2 has no known input}}
  func.func @main(%context: memref<?xi8> {edge.attention_context}, %ids: tensor<1x?xi64> {edge.name = "input_ids"},
                  %mask: tensor<1x?xi64> {edge.name = "attention_mask"}) -> (tensor<1x?x8xf32> {edge.name = "logits"})
      attributes {edge.causal_lm = {num_layers = 1 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}} {
    %c1 = arith.constant 1 : index
    %tokens = tensor.dim %ids, %c1 : tensor<1x?xi64>
    %logits = tensor.empty(%tokens) : tensor<1x?x8xf32>
    return %logits : tensor<1x?x8xf32>
  }
}
