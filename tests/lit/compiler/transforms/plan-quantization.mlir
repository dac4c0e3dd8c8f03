// RUN: edge-opt --verify-diagnostics --edge-plan-quantization='mode=q4_0 override=head=q8_0' %s | FileCheck %s
// RUN: edge-opt --verify-diagnostics --edge-plan-quantization='mode=mixed' %s | FileCheck %s --check-prefix=MIXED

// q4_0 for every candidate, the override pins `head` to q8_0; the 48-deep matmul stays f32
// with a remark, the position table (gathered by something other than input_ids) stays
// exact, and each f32 weight says why.
// CHECK-LABEL: func.func @main
// CHECK-DAG: edge.weight @tok offset 0 {quant = "q4_0", quant_block = 32 : i64} : tensor<16x64xf32>
// CHECK-DAG: edge.weight @pos offset 4096 {edge.quant_note = "a table gathered by something other than the token ids (positions, RoPE): kept exact"} : tensor<16x64xf32>
// CHECK-DAG: edge.weight @w1 offset 8192 {quant = "q4_0", quant_block = 32 : i64} : tensor<64x48xf32>
// CHECK-DAG: edge.weight @w2 offset 20480 {edge.quant_note = "reduction dim 48 is not a multiple of the block size"} : tensor<48x64xf32>
// CHECK-DAG: edge.weight @head offset 32768 {quant = "q8_0", quant_block = 32 : i64} : tensor<64x16xf32>
// MIXED-DAG: edge.weight @tok offset 0 {quant = "q8_0", quant_block = 32 : i64}
// MIXED-DAG: edge.weight @w1 offset 8192 {quant = "q4_0", quant_block = 32 : i64}
// MIXED-DAG: edge.weight @head offset 32768 {quant = "q8_0", quant_block = 32 : i64}
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, 4>}, {name = "positions", dtype = "i64", dims = array<i64: 1, 4>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, 4, 16>}],
    symbols = [], symbol_exprs = []}} {
  func.func @main(%ids: tensor<1x4xi64>, %positions: tensor<1x4xi64>) -> tensor<1x4x16xf32> {
    %tok = edge.weight @tok offset 0 : tensor<16x64xf32>
    %pos = edge.weight @pos offset 4096 : tensor<16x64xf32>
    %w1 = edge.weight @w1 offset 8192 : tensor<64x48xf32>
    // expected-remark @+1 {{weight 'w2' stays f32: its reduction dim 48 is not a multiple of the block size 32}}
    %w2 = edge.weight @w2 offset 20480 : tensor<48x64xf32>
    %head = edge.weight @head offset 32768 : tensor<64x16xf32>
    %e = onnx.Gather %tok, %ids {axis = 0 : si64} : (tensor<16x64xf32>, tensor<1x4xi64>) -> tensor<1x4x64xf32>
    %p = onnx.Gather %pos, %positions {axis = 0 : si64} : (tensor<16x64xf32>, tensor<1x4xi64>) -> tensor<1x4x64xf32>
    %x = onnx.Add %e, %p : (tensor<1x4x64xf32>, tensor<1x4x64xf32>) -> tensor<1x4x64xf32>
    %h = onnx.MatMul %x, %w1 : (tensor<1x4x64xf32>, tensor<64x48xf32>) -> tensor<1x4x48xf32>
    %g = onnx.MatMul %h, %w2 : (tensor<1x4x48xf32>, tensor<48x64xf32>) -> tensor<1x4x64xf32>
    %y = onnx.MatMul %g, %head : (tensor<1x4x64xf32>, tensor<64x16xf32>) -> tensor<1x4x16xf32>
    return %y : tensor<1x4x16xf32>
  }
}

