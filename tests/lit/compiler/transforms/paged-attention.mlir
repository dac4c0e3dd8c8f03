// RUN: edge-opt --split-input-file --verify-diagnostics --edge-paged-attention %s | FileCheck %s

// Grouped-query attention as torch exports it (4 query heads over 2 KV heads, repeat_kv,
// a causal mask from Range/LessOrEqual/Where on the lengths). The cache concatenation,
// repeat_kv, mask, softmax and both MatMuls become one edge.paged_attention; the past
// inputs and present outputs leave the signature, the attention context comes first.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[CTX:.*]]: memref<?xi8> {edge.attention_context}, %{{.*}}: tensor<?x?xi64> {edge.name = "input_ids"},
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x16xf32> {edge.name = "q"}, %[[K:.*]]: tensor<?x2x?x16xf32> {edge.name = "k"},
// CHECK-SAME:    %[[V:.*]]: tensor<?x2x?x16xf32> {edge.name = "v"})
// CHECK-SAME:    -> (tensor<?x4x?x16xf32> {edge.name = "logits"})
// CHECK-SAME:    attributes {edge.causal_lm = {head_dim = 16 : i64, num_kv_heads = 2 : i64, num_layers = 1 : i64}}
// CHECK-NOT:     onnx.Concat
// CHECK-NOT:     onnx.Softmax
// CHECK:         %[[INIT:.*]] = tensor.empty
// CHECK:         %[[OUT:.*]] = edge.paged_attention layer 0 scale 2.500000e-01 %[[CTX]], %[[Q]], %[[K]], %[[V]] into %[[INIT]]
// CHECK-NOT:     onnx.
// CHECK:         return %[[OUT]]
func.func @main(%ids: tensor<?x?xi64> {edge.name = "input_ids"}, %q: tensor<?x4x?x16xf32> {edge.name = "q"},
                %k: tensor<?x2x?x16xf32> {edge.name = "k"}, %v: tensor<?x2x?x16xf32> {edge.name = "v"},
                %past_k: tensor<?x2x?x16xf32> {edge.name = "past_key_values.0.key"},
                %past_v: tensor<?x2x?x16xf32> {edge.name = "past_key_values.0.value"})
    -> (tensor<?x4x?x16xf32> {edge.name = "logits"}, tensor<?x2x?x16xf32> {edge.name = "present.0.key"},
        tensor<?x2x?x16xf32> {edge.name = "present.0.value"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %zero = arith.constant dense<0> : tensor<i64>
  %one = arith.constant dense<1> : tensor<i64>
  %four = arith.constant dense<4.0> : tensor<f32>
  %fzero = arith.constant dense<0.0> : tensor<f32>
  %neg = arith.constant dense<-1.0e9> : tensor<f32>
  %pk = onnx.Concat %past_k, %k {axis = 2 : si64} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>) -> tensor<?x2x?x16xf32>
  %pv = onnx.Concat %past_v, %v {axis = 2 : si64} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>) -> tensor<?x2x?x16xf32>
  %b = tensor.dim %ids, %c0 : tensor<?x?xi64>
  %b64 = arith.index_cast %b : index to i64
  %s = tensor.dim %ids, %c1 : tensor<?x?xi64>
  %s64 = arith.index_cast %s : index to i64
  %p = tensor.dim %past_k, %c2 : tensor<?x2x?x16xf32>
  %p64 = arith.index_cast %p : index to i64
  %t64 = arith.addi %s64, %p64 : i64
  %shape5 = tensor.from_elements %b64, %c2_i64, %c1_i64, %t64, %c16_i64 : tensor<5xi64>
  %shape5x = tensor.from_elements %b64, %c2_i64, %c2_i64, %t64, %c16_i64 : tensor<5xi64>
  %shape4 = tensor.from_elements %b64, %c4_i64, %t64, %c16_i64 : tensor<4xi64>
  %k5 = onnx.Reshape %pk, %shape5 {allowzero = 1 : i64} : (tensor<?x2x?x16xf32>, tensor<5xi64>) -> tensor<?x2x1x?x16xf32>
  %ke = onnx.Expand %k5, %shape5x : (tensor<?x2x1x?x16xf32>, tensor<5xi64>) -> tensor<?x2x2x?x16xf32>
  %kr = onnx.Reshape %ke, %shape4 : (tensor<?x2x2x?x16xf32>, tensor<4xi64>) -> tensor<?x4x?x16xf32>
  %v5 = onnx.Reshape %pv, %shape5 {allowzero = 1 : i64} : (tensor<?x2x?x16xf32>, tensor<5xi64>) -> tensor<?x2x1x?x16xf32>
  %ve = onnx.Expand %v5, %shape5x : (tensor<?x2x1x?x16xf32>, tensor<5xi64>) -> tensor<?x2x2x?x16xf32>
  %vr = onnx.Reshape %ve, %shape4 : (tensor<?x2x2x?x16xf32>, tensor<4xi64>) -> tensor<?x4x?x16xf32>
  %kt = onnx.Transpose %kr {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores = onnx.MatMul %q, %kt : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %scaled = onnx.Div %scores, %four : (tensor<?x4x?x?xf32>, tensor<f32>) -> tensor<?x4x?x?xf32>
  %total = tensor.from_elements %t64 : tensor<i64>
  %keys = onnx.Range %zero, %total, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %seq = tensor.from_elements %s64 : tensor<i64>
  %rows = onnx.Range %zero, %seq, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %past = tensor.from_elements %p64 : tensor<i64>
  %queries = onnx.Add %rows, %past : (tensor<?xi64>, tensor<i64>) -> tensor<?xi64>
  %kshape = tensor.from_elements %c1_i64, %t64 : tensor<2xi64>
  %k2 = onnx.Reshape %keys, %kshape : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x?xi64>
  %qshape = tensor.from_elements %s64, %c1_i64 : tensor<2xi64>
  %q2 = onnx.Reshape %queries, %qshape : (tensor<?xi64>, tensor<2xi64>) -> tensor<?x1xi64>
  %visible = onnx.LessOrEqual %k2, %q2 : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi1>
  %mask = onnx.Where %visible, %fzero, %neg : (tensor<?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  %masked = onnx.Add %scaled, %mask : (tensor<?x4x?x?xf32>, tensor<?x?xf32>) -> tensor<?x4x?x?xf32>
  %probs = onnx.Softmax %masked {axis = 3 : si64} : tensor<?x4x?x?xf32>
  %out = onnx.MatMul %probs, %vr : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %out, %pk, %pv : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>
}

// -----

// GPT-2 computes positions as Range(past, past + sequence): they become the position_ids
// input, added after input_ids.

// CHECK-LABEL: func.func @gpt2_positions(
// CHECK-SAME:    %{{.*}}: memref<?xi8> {edge.attention_context}, %{{.*}}: tensor<?x?xi64> {edge.name = "input_ids"},
// CHECK-SAME:    %[[POS:.*]]: tensor<?x?xi64> {edge.name = "position_ids"},
// CHECK:         %[[FLAT:.*]] = tensor.collapse_shape %[[POS]] {{\[}}[0, 1]] : tensor<?x?xi64> into tensor<?xi64>
// CHECK:         onnx.Gather %{{.*}}, %[[FLAT]]
// CHECK:         edge.paged_attention layer 0 scale 1.250000e-01
func.func @gpt2_positions(%ids: tensor<?x?xi64> {edge.name = "input_ids"}, %table: tensor<256x64xf32>,
                          %q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>,
                          %past_k: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.key"},
                          %past_v: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.value"})
    -> (tensor<?x64xf32> {edge.name = "positions"}, tensor<?x4x?x16xf32> {edge.name = "logits"},
        tensor<?x4x?x16xf32> {edge.name = "present.0.key"}, tensor<?x4x?x16xf32> {edge.name = "present.0.value"}) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %one = arith.constant dense<1> : tensor<i64>
  %eighth = arith.constant dense<0.125> : tensor<f32>
  %p = tensor.dim %past_k, %c2 : tensor<?x4x?x16xf32>
  %p64 = arith.index_cast %p : index to i64
  %start = tensor.from_elements %p64 : tensor<i64>
  %s = tensor.dim %ids, %c1 : tensor<?x?xi64>
  %s64 = arith.index_cast %s : index to i64
  %end64 = arith.addi %s64, %p64 : i64
  %end = tensor.from_elements %end64 : tensor<i64>
  %positions = onnx.Range %start, %end, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %embedded = onnx.Gather %table, %positions : (tensor<256x64xf32>, tensor<?xi64>) -> tensor<?x64xf32>
  %pk = onnx.Concat %past_k, %k {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %pv = onnx.Concat %past_v, %v {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %kt = onnx.Transpose %pk {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores = onnx.MatMul %q, %kt : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %scaled = onnx.Mul %eighth, %scores : (tensor<f32>, tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %probs = onnx.Softmax %scaled {axis = -1 : si64} : tensor<?x4x?x?xf32>
  %out = onnx.MatMul %probs, %pv : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %embedded, %out, %pk, %pv : tensor<?x64xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
}

// -----

// Attention without a KV cache (an encoder) is left as it is.
// CHECK-LABEL: func.func @encoder(
// CHECK-NOT:     edge.paged_attention
// CHECK:         onnx.Softmax
func.func @encoder(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %scores = onnx.MatMul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %probs = onnx.Softmax %scores {axis = 3 : si64} : tensor<1x4x8x8xf32>
  %out = onnx.MatMul %probs, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %out : tensor<1x4x8x16xf32>
}

// -----

// Attention over a cache in a graph that takes no token ids (a decoder block on its own)
// is not a causal LM step: left alone.
// CHECK-LABEL: func.func @no_token_ids(
// CHECK-NOT:     edge.paged_attention
// CHECK:         onnx.Concat
func.func @no_token_ids(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>,
                        %past_k: tensor<?x4x?x16xf32> {edge.name = "past_key"},
                        %past_v: tensor<?x4x?x16xf32> {edge.name = "past_value"})
    -> (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) {
  %pk = onnx.Concat %past_k, %k {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %pv = onnx.Concat %past_v, %v {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %kt = onnx.Transpose %pk {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores = onnx.MatMul %q, %kt : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %probs = onnx.Softmax %scores {axis = 3 : si64} : tensor<?x4x?x?xf32>
  %out = onnx.MatMul %probs, %pv : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %out, %pk, %pv : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
}

// -----

// A mask that reads data (here an additive bias input) is not the causal mask the kernel
// applies: that attention stays, and the past input it reads is reported.
func.func @data_mask(%ids: tensor<?x?xi64> {edge.name = "input_ids"}, %q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>,
                     %v: tensor<?x4x?x16xf32>, %mask: tensor<?x?xf32> {edge.name = "bias"},
                     %past_k: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.key"},
                     %past_v: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.value"},
                     %past_k1: tensor<?x4x?x16xf32> {edge.name = "past_key_values.1.key"},
                     %past_v1: tensor<?x4x?x16xf32> {edge.name = "past_key_values.1.value"})
    -> (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) {
  // expected-error @+1 {{causal LM: past input 'past_key_values.0.key' is still read by an op the paged-attention rewrite does not cover}}
  %pk = onnx.Concat %past_k, %k {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %pv = onnx.Concat %past_v, %v {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %kt = onnx.Transpose %pk {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores = onnx.MatMul %q, %kt : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %masked = onnx.Add %scores, %mask : (tensor<?x4x?x?xf32>, tensor<?x?xf32>) -> tensor<?x4x?x?xf32>
  %probs = onnx.Softmax %masked {axis = 3 : si64} : tensor<?x4x?x?xf32>
  %out = onnx.MatMul %probs, %pv : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  // A second layer the pattern does recognize makes this a causal LM.
  %pk1 = onnx.Concat %past_k1, %k {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %pv1 = onnx.Concat %past_v1, %v {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %kt1 = onnx.Transpose %pk1 {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores1 = onnx.MatMul %q, %kt1 : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %probs1 = onnx.Softmax %scores1 {axis = 3 : si64} : tensor<?x4x?x?xf32>
  %out1 = onnx.MatMul %probs1, %pv1 : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %out, %out1, %pk, %pv : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
}

// -----

// Hugging Face's attention_mask input [batch, past + sequence] is all ones in a paged
// step (nothing is padded): the padding term it feeds becomes shape-only, the attention
// is rewritten, and the input leaves the signature with the past ones.

// CHECK-LABEL: func.func @hf_attention_mask(
// CHECK-SAME:    %{{.*}}: memref<?xi8> {edge.attention_context}, %{{.*}}: tensor<?x?xi64> {edge.name = "input_ids"},
// CHECK-SAME:    %{{.*}}: tensor<?x4x?x16xf32>, %{{.*}}: tensor<?x4x?x16xf32>, %{{.*}}: tensor<?x4x?x16xf32>)
// CHECK-SAME:    -> tensor<?x4x?x16xf32>
// CHECK-NOT:     onnx.ConstantOfShape
// CHECK:         edge.paged_attention layer 0
func.func @hf_attention_mask(%ids: tensor<?x?xi64> {edge.name = "input_ids"},
                             %mask: tensor<?x?xi64> {edge.name = "attention_mask"}, %q: tensor<?x4x?x16xf32>,
                             %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>,
                             %past_k: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.key"},
                             %past_v: tensor<?x4x?x16xf32> {edge.name = "past_key_values.0.value"})
    -> (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %neg = arith.constant dense<-1.0e9> : tensor<f32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %mask, %c0 : tensor<?x?xi64>
  %t = tensor.dim %mask, %c1 : tensor<?x?xi64>
  %b64 = arith.index_cast %b : index to i64
  %t64 = arith.index_cast %t : index to i64
  %c1_i64 = arith.constant 1 : i64
  %shape = tensor.from_elements %b64, %c1_i64, %c1_i64, %t64 : tensor<4xi64>
  %m4 = onnx.Reshape %mask, %shape : (tensor<?x?xi64>, tensor<4xi64>) -> tensor<?x1x1x?xi64>
  %mf = onnx.Cast %m4 : tensor<?x1x1x?xi64> to tensor<?x1x1x?xf32>
  %inv = onnx.Sub %one, %mf : (tensor<f32>, tensor<?x1x1x?xf32>) -> tensor<?x1x1x?xf32>
  %padding = onnx.Mul %inv, %neg : (tensor<?x1x1x?xf32>, tensor<f32>) -> tensor<?x1x1x?xf32>
  %pk = onnx.Concat %past_k, %k {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %pv = onnx.Concat %past_v, %v {axis = 2 : si64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %kt = onnx.Transpose %pk {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x?x16xf32>) -> tensor<?x4x16x?xf32>
  %scores = onnx.MatMul %q, %kt : (tensor<?x4x?x16xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x?x?xf32>
  %masked = onnx.Add %scores, %padding : (tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32>
  %probs = onnx.Softmax %masked {axis = 3 : si64} : tensor<?x4x?x?xf32>
  %out = onnx.MatMul %probs, %pv : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %out, %pk, %pv : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
}
