// RUN: edge-opt --split-input-file --edge-interleave-quantized-rows %s | FileCheck %s

// Under edge.ukernel_row_group = 4, a quantized weight read only by quantized matmuls
// (N = 8, blocks of 32) takes the _x4 format on the weight and every matmul of it; the
// token embedding's table and a matmul whose N is not a multiple of 4 keep plain rows.
// CHECK-LABEL: func.func @model(
// CHECK:         edge.weight @w {{.*}}quant = "q4_0x4"
// CHECK:         edge.quantized_matmul "q4_0x4" block 32
// CHECK:         edge.quantized_matmul "q4_0x4" block 32
// CHECK:         edge.weight @table {{.*}}quant = "q8_0"
// CHECK:         edge.quantized_embedding "q8_0"
// CHECK:         edge.weight @odd {{.*}}quant = "q4_1"
// CHECK:         edge.quantized_matmul "q4_1" block 32
module attributes {edge.ukernel_row_group = 4 : i64} {
  func.func @model(%x: tensor<1x64xf32>, %ids: tensor<1x2xi64>, %init: tensor<1x8xf32>, %rows: tensor<1x2x64xf32>,
                   %init6: tensor<1x6xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x2x64xf32>, tensor<1x6xf32>) {
    %w = edge.weight @w offset 0 {quant = "q4_0", quant_block = 32 : i64, quant_from_kn} : tensor<288xi8>
    %a = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<1x64xf32>, tensor<288xi8>, tensor<1x8xf32> -> tensor<1x8xf32>
    %b = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<1x64xf32>, tensor<288xi8>, tensor<1x8xf32> -> tensor<1x8xf32>
    %t = edge.weight @table offset 320 {quant = "q8_0", quant_block = 32 : i64} : tensor<272xi8>
    %e = edge.quantized_embedding "q8_0" block 32 rows 4 %ids, %t into %rows : tensor<1x2xi64>, tensor<272xi8>, tensor<1x2x64xf32> -> tensor<1x2x64xf32>
    %o = edge.weight @odd offset 640 {quant = "q4_1", quant_block = 32 : i64, quant_from_kn} : tensor<240xi8>
    %c = edge.quantized_matmul "q4_1" block 32 %x, %o into %init6 : tensor<1x64xf32>, tensor<240xi8>, tensor<1x6xf32> -> tensor<1x6xf32>
    return %a, %b, %e, %c : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x2x64xf32>, tensor<1x6xf32>
  }
}

// -----

// Without the attribute (plain-row ukernels) nothing changes.
// CHECK-LABEL: func.func @plain(
// CHECK:         edge.weight @w {{.*}}quant = "q4_0"
// CHECK:         edge.quantized_matmul "q4_0" block 32
module {
  func.func @plain(%x: tensor<1x64xf32>, %init: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = edge.weight @w offset 0 {quant = "q4_0", quant_block = 32 : i64, quant_from_kn} : tensor<288xi8>
    %a = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<1x64xf32>, tensor<288xi8>, tensor<1x8xf32> -> tensor<1x8xf32>
    return %a : tensor<1x8xf32>
  }
}
