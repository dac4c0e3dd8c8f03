// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK: onnx.Add %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
// CHECK: onnx.MatMul
// CHECK: onnx.Gemm {{.*}} {transB = 1 : i64}
// CHECK: onnx.Softmax {{.*}} {axis = 0 : si64}
// CHECK: onnx.Reshape {{.*}} : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
// CHECK: onnx.Transpose {{.*}} {perm = array<i64: 1, 0>}
// CHECK: onnx.Gather {{.*}} : (tensor<8x8xf32>, tensor<3xi64>) -> tensor<3x8xf32>
// CHECK: onnx.ReduceMean {{.*}} {axes = array<i64: -1>}
// CHECK: onnx.Cast {{.*}} : tensor<?x8xf32> to tensor<?x8xi64>
func.func @roundtrip(%x: tensor<?x8xf32>, %b: tensor<8xf32>, %w: tensor<8x8xf32>, %ids: tensor<3xi64>, %s: tensor<2xi64>) {
  %0 = onnx.Add %x, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = onnx.MatMul %0, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  %2 = onnx.Gemm %1, %w {transB = 1 : i64} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  %3 = onnx.Softmax %2 {axis = 0 : si64} : tensor<?x8xf32>
  %4 = onnx.Reshape %3, %s : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %5 = onnx.Transpose %w {perm = array<i64: 1, 0>} : (tensor<8x8xf32>) -> tensor<8x8xf32>
  %6 = onnx.Gather %5, %ids {axis = 0 : si64} : (tensor<8x8xf32>, tensor<3xi64>) -> tensor<3x8xf32>
  %7 = onnx.ReduceMean %4 {axes = array<i64: -1>} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  %8 = onnx.Cast %4 : tensor<?x8xf32> to tensor<?x8xi64>
  return
}

// -----

func.func @no_broadcast(%a: tensor<4xf32>, %b: tensor<5xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand dims 4 and 5 at result dim 0 do not broadcast}}
  %0 = onnx.Add %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contraction dims differ: 3 vs 4}}
  %0 = onnx.MatMul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @perm(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm is not a permutation of [0, 2)}}
  %0 = onnx.Transpose %a {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = onnx.Softmax %a {axis = 2 : si64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape(%a: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<6xf32> {
  // expected-error @+1 {{shape has 2 entries, expected 1}}
  %0 = onnx.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @where(%c: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{condition must be a bool (i1) tensor}}
  %0 = onnx.Where %c, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @slice(%a: tensor<4x4xf32>, %s: tensor<1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{steps must be non-zero}}
  %0 = onnx.Slice %a, %s, %s {axes = array<i64: 0>, steps = array<i64: 0>} : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @concat(%a: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{inputs must all have rank 2}}
  %0 = onnx.Concat %a, %b {axis = 0 : si64} : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @tile(%a: tensor<4x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{has 1 repeats for rank 2}}
  %0 = onnx.Tile %a {repeats = array<i64: 2>} : (tensor<4x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @reduce(%a: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axis -1 repeated}}
  %0 = onnx.ReduceMean %a {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}
