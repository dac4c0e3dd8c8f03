// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK: edge.weight @layers.0.w offset 128 : tensor<4x8xf32>
func.func @roundtrip() -> tensor<4x8xf32> {
  %w = edge.weight @"layers.0.w" offset 128 : tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}

// -----

func.func @misaligned() -> tensor<4xf32> {
  // expected-error @+1 {{offset 100 is not a non-negative multiple of 64}}
  %w = edge.weight @w offset 100 : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %w = edge.weight @w offset 0 : tensor<?xf32>
  return %w : tensor<?xf32>
}

// -----

func.func @bad_pack() -> tensor<2x8x4xf32> {
  // expected-error @+1 {{pack_n 16 needs a [N/16, K, 16] type}}
  %w = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x8x4xf32>
  return %w : tensor<2x8x4xf32>
}
