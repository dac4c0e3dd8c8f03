// RUN: edge-opt --split-input-file --verify-diagnostics --edge-lay-out-weights %s | FileCheck %s

// In the importer's order (the offsets so far), 64-byte aligned, each the bytes of its
// stored type: a packed f32 [2, 8, 4] panel set is 256 bytes, a quantized weight its i8
// bytes (72), a bool table one byte per element (3, padded to 64). Both ops of
// `w` get the same offset; the module records the data section's size.
// CHECK: module attributes {edge.weights_size = 448 : i64}
// CHECK-DAG: edge.weight @w offset 0 {pack_n = 4 : i64} : tensor<2x8x4xf32>
// CHECK-DAG: edge.weight @q offset 256 {quant = "q4_0", quant_block = 32 : i64} : tensor<72xi8>
// CHECK-DAG: edge.weight @mask offset 384 : tensor<3xi1>
module {
  func.func @main() -> (tensor<2x8x4xf32>, tensor<2x8x4xf32>, tensor<72xi8>, tensor<3xi1>) {
    %q = edge.weight @q offset 4096 {quant = "q4_0", quant_block = 32 : i64} : tensor<72xi8>
    %w = edge.weight @w offset 64 {pack_n = 4 : i64} : tensor<2x8x4xf32>
    %w2 = edge.weight @w offset 64 {pack_n = 4 : i64} : tensor<2x8x4xf32>
    %mask = edge.weight @mask offset 8192 : tensor<3xi1>
    return %w, %w2, %q, %mask : tensor<2x8x4xf32>, tensor<2x8x4xf32>, tensor<72xi8>, tensor<3xi1>
  }
}

// -----

module {
  func.func @main() -> (tensor<4xf32>, tensor<8xf32>) {
    %a = edge.weight @a offset 0 : tensor<4xf32>
    // expected-error @+1 {{weight 'a' is stored as 'tensor<4xf32>' and as 'tensor<8xf32>'}}
    %b = edge.weight @a offset 0 : tensor<8xf32>
    return %a, %b : tensor<4xf32>, tensor<8xf32>
  }
}
