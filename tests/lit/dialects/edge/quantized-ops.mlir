// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// q4_0 blocks of 32 are 18 bytes: N = 2 rows of K = 64 are 2 x 2 x 18 = 72 bytes.
// CHECK-LABEL: func.func @matmul_roundtrip
// CHECK: edge.quantized_matmul "q4_0" block 32
func.func @matmul_roundtrip(%x: tensor<3x64xf32>, %w: tensor<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<3x64xf32>, tensor<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_wrong_size(%x: tensor<3x64xf32>, %w: tensor<70xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{weight must be 72 bytes for N = 2, K = 64}}
  %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<3x64xf32>, tensor<70xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_k_not_blocks(%x: tensor<3x48xf32>, %w: tensor<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{K = 48 is not a multiple of the block size}}
  %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<3x48xf32>, tensor<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_unknown_format(%x: tensor<3x64xf32>, %w: tensor<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{unknown format 'q3_k'}}
  %y = edge.quantized_matmul "q3_k" block 32 %x, %w into %init : tensor<3x64xf32>, tensor<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_bad_block(%x: tensor<3x64xf32>, %w: tensor<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{block size 24 is not a multiple of 16 in [16, 256]}}
  %y = edge.quantized_matmul "q4_0" block 24 %x, %w into %init : tensor<3x64xf32>, tensor<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_dynamic_k(%x: tensor<3x?xf32>, %w: tensor<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{K and N must be static}}
  %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<3x?xf32>, tensor<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @matmul_mixed_operands(%x: tensor<3x64xf32>, %w: memref<72xi8>, %init: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : tensor<3x64xf32>, memref<72xi8>, tensor<3x2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// q8_0 blocks of 32 are 34 bytes: 10 rows of 64 are 10 x 2 x 34 = 680 bytes.
// CHECK-LABEL: func.func @embedding_roundtrip
// CHECK: edge.quantized_embedding "q8_0" block 32 rows 10
func.func @embedding_roundtrip(%ids: tensor<1x?xi64>, %table: tensor<680xi8>, %init: tensor<1x?x64xf32>) -> tensor<1x?x64xf32> {
  %e = edge.quantized_embedding "q8_0" block 32 rows 10 %ids, %table into %init : tensor<1x?xi64>, tensor<680xi8>, tensor<1x?x64xf32> -> tensor<1x?x64xf32>
  return %e : tensor<1x?x64xf32>
}

// -----

func.func @embedding_wrong_size(%ids: tensor<1x?xi64>, %table: tensor<600xi8>, %init: tensor<1x?x64xf32>) -> tensor<1x?x64xf32> {
  // expected-error @+1 {{table must be 680 bytes for 10 rows of 64}}
  %e = edge.quantized_embedding "q8_0" block 32 rows 10 %ids, %table into %init : tensor<1x?xi64>, tensor<600xi8>, tensor<1x?x64xf32> -> tensor<1x?x64xf32>
  return %e : tensor<1x?x64xf32>
}

// -----

func.func @embedding_rank(%ids: tensor<1x?xi64>, %table: tensor<680xi8>, %init: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{init must have one dim more than indices}}
  %e = edge.quantized_embedding "q8_0" block 32 rows 10 %ids, %table into %init : tensor<1x?xi64>, tensor<680xi8>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %e : tensor<?x64xf32>
}

// -----

func.func @embedding_width(%ids: tensor<1x?xi64>, %table: tensor<680xi8>, %init: tensor<1x?x40xf32>) -> tensor<1x?x40xf32> {
  // expected-error @+1 {{row width must be a static multiple of the block size}}
  %e = edge.quantized_embedding "q8_0" block 32 rows 10 %ids, %table into %init : tensor<1x?xi64>, tensor<680xi8>, tensor<1x?x40xf32> -> tensor<1x?x40xf32>
  return %e : tensor<1x?x40xf32>
}

// -----

func.func @embedding_result_type(%ids: tensor<1x?xi64>, %table: tensor<680xi8>, %init: tensor<1x?x64xf32>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{result type must be the init's type}}
  %e = edge.quantized_embedding "q8_0" block 32 rows 10 %ids, %table into %init : tensor<1x?xi64>, tensor<680xi8>, tensor<1x?x64xf32> -> tensor<1x3x64xf32>
  return %e : tensor<1x3x64xf32>
}
