// RUN: edge-opt --split-input-file --verify-diagnostics --edge-quantize-weights %s | FileCheck %s

// A MatMul weight [K, N] becomes the bytes of N rows of K (quant_from_kn), read by the
// quantized matmul over the 3-D left operand's rows. q8_0, block 32: 2 blocks of 34 bytes
// per row, 32 rows = 2176 bytes.

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[X:.*]]: tensor<1x?x64xf32>
// CHECK:         %[[W:.*]] = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64, quant_from_kn} : tensor<2176xi8>
// CHECK:         %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<1x?x64xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[D]]) : tensor<1x?x32xf32>
// CHECK:         %[[Y:.*]] = edge.quantized_matmul "q8_0" block 32 %[[X]], %[[W]] into %[[INIT]] : tensor<1x?x64xf32>, tensor<2176xi8>, tensor<1x?x32xf32> -> tensor<1x?x32xf32>
// CHECK:         return %[[Y]]
func.func @matmul(%x: tensor<1x?x64xf32>) -> tensor<1x?x32xf32> {
  %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64} : tensor<64x32xf32>
  %y = onnx.MatMul %x, %w : (tensor<1x?x64xf32>, tensor<64x32xf32>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

// Gemm with transB reads the weight as [N, K] rows already; the bias is added after.
// q4_1, block 32: 20 bytes per block, 2 blocks x 16 rows = 640 bytes.

// CHECK-LABEL: func.func @gemm(
// CHECK:         %[[W:.*]] = edge.weight @w offset 64 {quant = "q4_1", quant_block = 32 : i64} : tensor<640xi8>
// CHECK:         %[[Q:.*]] = edge.quantized_matmul "q4_1" block 32 %{{.*}}, %[[W]] into %{{.*}} : tensor<?x64xf32>, tensor<640xi8>, tensor<?x16xf32> -> tensor<?x16xf32>
// CHECK:         onnx.Add %[[Q]], %{{.*}}
// CHECK-NOT:     onnx.Gemm
func.func @gemm(%x: tensor<?x64xf32>, %b: tensor<16xf32>) -> tensor<?x16xf32> {
  %w = edge.weight @w offset 64 {quant = "q4_1", quant_block = 32 : i64} : tensor<16x64xf32>
  %y = onnx.Gemm %x, %w, %b {transB = 1 : i64} : (tensor<?x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// A token embedding: Gather of the [V, H] table by [1, ?] ids, one row per id.

// CHECK-LABEL: func.func @embedding(
// CHECK-SAME:    %[[IDS:.*]]: tensor<1x?xi64>
// CHECK:         %[[T:.*]] = edge.weight @table offset 0 {quant = "q4_0", quant_block = 32 : i64} : tensor<2304xi8>
// CHECK:         %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<1x?x64xf32>
// CHECK:         %[[E:.*]] = edge.quantized_embedding "q4_0" block 32 rows 64 %[[IDS]], %[[T]] into %[[INIT]] : tensor<1x?xi64>, tensor<2304xi8>, tensor<1x?x64xf32> -> tensor<1x?x64xf32>
// CHECK:         return %[[E]]
func.func @embedding(%ids: tensor<1x?xi64>) -> tensor<1x?x64xf32> {
  %t = edge.weight @table offset 0 {quant = "q4_0", quant_block = 32 : i64} : tensor<64x64xf32>
  %e = onnx.Gather %t, %ids {axis = 0 : si64} : (tensor<64x64xf32>, tensor<1x?xi64>) -> tensor<1x?x64xf32>
  return %e : tensor<1x?x64xf32>
}

// -----

// Weights without a request are left alone.

// CHECK-LABEL: func.func @unrequested(
// CHECK:         edge.weight @w offset 0 : tensor<64x32xf32>
// CHECK:         onnx.MatMul
func.func @unrequested(%x: tensor<?x64xf32>) -> tensor<?x32xf32> {
  %w = edge.weight @w offset 0 : tensor<64x32xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x64xf32>, tensor<64x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// A requested weight read by an op without a quantized form is an error naming it.
func.func @unsupported(%x: tensor<64x32xf32>) -> tensor<64x32xf32> {
  // expected-error @+1 {{cannot be stored quantized: read by onnx.Add, which has no quantized form}}
  %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64} : tensor<64x32xf32>
  %y = onnx.Add %x, %w : (tensor<64x32xf32>, tensor<64x32xf32>) -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}

// -----

// So is a reduction dim the block does not divide.
func.func @unfit(%x: tensor<?x48xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{its reduction dim 48 is not a multiple of the block size 32}}
  %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64} : tensor<48x32xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x48xf32>, tensor<48x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
