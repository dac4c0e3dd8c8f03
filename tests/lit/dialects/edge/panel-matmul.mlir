// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// [K, N] = [64, 32] in two 64x16 panels; rows of a batch are rows.
// CHECK-LABEL: func.func @roundtrip
// CHECK: edge.panel_matmul %{{.*}}, %{{.*}} into %{{.*}} : tensor<1x?x64xf32>, tensor<2x64x16xf32>, tensor<1x?x32xf32> -> tensor<1x?x32xf32>
// CHECK: edge.panel_matmul %{{.*}}, %{{.*}} into %{{.*}} accumulate : memref<3x64xf32>, memref<2x64x16xf32>, memref<3x32xf32>
func.func @roundtrip(%x: tensor<1x?x64xf32>, %w: tensor<2x64x16xf32>, %init: tensor<1x?x32xf32>,
                     %xb: memref<3x64xf32>, %wb: memref<2x64x16xf32>, %yb: memref<3x32xf32>) -> tensor<1x?x32xf32> {
  %y = edge.panel_matmul %x, %w into %init : tensor<1x?x64xf32>, tensor<2x64x16xf32>, tensor<1x?x32xf32> -> tensor<1x?x32xf32>
  edge.panel_matmul %xb, %wb into %yb accumulate : memref<3x64xf32>, memref<2x64x16xf32>, memref<3x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

func.func @wrong_panels(%x: tensor<3x64xf32>, %w: tensor<2x64x16xf32>, %init: tensor<3x48xf32>) -> tensor<3x48xf32> {
  // expected-error @+1 {{weight [2, 64, 16] is not the panels of a [K = 64, N = 48] matrix}}
  %y = edge.panel_matmul %x, %w into %init : tensor<3x64xf32>, tensor<2x64x16xf32>, tensor<3x48xf32> -> tensor<3x48xf32>
  return %y : tensor<3x48xf32>
}

// -----

func.func @wrong_depth(%x: tensor<3x32xf32>, %w: tensor<2x64x16xf32>, %init: tensor<3x32xf32>) -> tensor<3x32xf32> {
  // expected-error @+1 {{weight [2, 64, 16] is not the panels of a [K = 32, N = 32] matrix}}
  %y = edge.panel_matmul %x, %w into %init : tensor<3x32xf32>, tensor<2x64x16xf32>, tensor<3x32xf32> -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

func.func @rows_differ(%x: tensor<3x64xf32>, %w: tensor<2x64x16xf32>, %init: tensor<4x32xf32>) -> tensor<4x32xf32> {
  // expected-error @+1 {{input and init differ in dim 0}}
  %y = edge.panel_matmul %x, %w into %init : tensor<3x64xf32>, tensor<2x64x16xf32>, tensor<4x32xf32> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

func.func @mixed(%x: tensor<3x64xf32>, %w: memref<2x64x16xf32>, %init: tensor<3x32xf32>) -> tensor<3x32xf32> {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  %y = edge.panel_matmul %x, %w into %init : tensor<3x64xf32>, memref<2x64x16xf32>, tensor<3x32xf32> -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

func.func @ranks(%x: tensor<1x3x64xf32>, %w: tensor<2x64x16xf32>, %init: tensor<3x32xf32>) -> tensor<3x32xf32> {
  // expected-error @+1 {{input and init must have the same rank}}
  %y = edge.panel_matmul %x, %w into %init : tensor<1x3x64xf32>, tensor<2x64x16xf32>, tensor<3x32xf32> -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}
