// RUN: edge-opt --split-input-file --edge-select-logits %s | FileCheck %s

// The vocabulary projection of a causal LM step reads only the sampled rows of the
// hidden state: a logits_indices input selects them right before the MatMul (and its
// token-independent bias).

// CHECK-LABEL: func.func @lm(
// CHECK-SAME:    %[[H:[^:]*]]: tensor<?x?x64xf32>, %[[W:[^:]*]]: tensor<64x128xf32>, %[[B:[^:]*]]: tensor<128xf32>,
// CHECK-SAME:    %[[ROWS:.*]]: tensor<?xi64> {edge.name = "logits_indices"})
// CHECK-SAME:    edge.causal_lm = {head_dim = 16 : i64, num_kv_heads = 2 : i64, num_layers = 2 : i64, select_logits}
// CHECK:         %[[SEL:.*]] = onnx.Gather %[[H]], %[[ROWS]] {axis = 1 : si64}
// CHECK:         %[[P:.*]] = onnx.MatMul %[[SEL]], %[[W]]
// CHECK:         onnx.Add %[[P]], %[[B]]
func.func @lm(%h: tensor<?x?x64xf32>, %w: tensor<64x128xf32>, %b: tensor<128xf32>) -> tensor<?x?x128xf32>
    attributes {edge.causal_lm = {head_dim = 16 : i64, num_kv_heads = 2 : i64, num_layers = 2 : i64}} {
  %p = onnx.MatMul %h, %w : (tensor<?x?x64xf32>, tensor<64x128xf32>) -> tensor<?x?x128xf32>
  %l = onnx.Add %p, %b : (tensor<?x?x128xf32>, tensor<128xf32>) -> tensor<?x?x128xf32>
  return %l : tensor<?x?x128xf32>
}

// -----

// Logits mixed with a per-token value after the projection: every row is needed.
// CHECK-LABEL: func.func @per_token_epilogue(
// CHECK-NOT:     logits_indices
// CHECK-NOT:     onnx.Gather
func.func @per_token_epilogue(%h: tensor<?x?x64xf32>, %w: tensor<64x128xf32>, %e: tensor<?x?x128xf32>)
    -> tensor<?x?x128xf32> attributes {edge.causal_lm = {head_dim = 16 : i64, num_kv_heads = 2 : i64, num_layers = 2 : i64}} {
  %p = onnx.MatMul %h, %w : (tensor<?x?x64xf32>, tensor<64x128xf32>) -> tensor<?x?x128xf32>
  %l = onnx.Add %p, %e : (tensor<?x?x128xf32>, tensor<?x?x128xf32>) -> tensor<?x?x128xf32>
  return %l : tensor<?x?x128xf32>
}

// -----

// Not a causal LM step: left alone.
// CHECK-LABEL: func.func @graph(
// CHECK-NOT:     onnx.Gather
func.func @graph(%h: tensor<?x?x64xf32>, %w: tensor<64x128xf32>) -> tensor<?x?x128xf32> {
  %p = onnx.MatMul %h, %w : (tensor<?x?x64xf32>, tensor<64x128xf32>) -> tensor<?x?x128xf32>
  return %p : tensor<?x?x128xf32>
}
