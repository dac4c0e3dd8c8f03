// RUN: edge-opt --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize))' %s | FileCheck %s

// AArch64 NEON: a 4x16 accumulator, K stepped by 1. The dynamic M loop is peeled: the
// main loop runs full 4-row tiles as vector.contract, the remainder stays scalar.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "aarch64"} {
// CHECK-LABEL: func.func @matmul_aarch64
// CHECK:         %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK:         %[[MAIN_END:.*]] = affine.apply #{{.*}}()[%[[DIM]]]
// CHECK:         scf.for %{{.*}} = %c0 to %[[MAIN_END]] step %c4
// CHECK:           scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:               vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:               vector.contract {{.*}} into vector<4x16xf32>
// CHECK:               vector.transfer_write {{.*}} : vector<4x16xf32>, tensor<4x16xf32>
// CHECK:         scf.for %{{.*}} = %[[MAIN_END]] to %[[DIM]] step %c4
// CHECK:               linalg.generic {{.*}} outs(%{{.*}} : tensor<?x16xf32>)
func.func @matmul_aarch64(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>, %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>) outs(%init : tensor<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
}

// -----

// x86-64 (AVX2 baseline): N tiles are two 8-lane vectors wide.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "x86_64"} {
// CHECK-LABEL: func.func @matmul_x86
// CHECK:         vector.contract {{.*}} into vector<4x16xf32>
func.func @matmul_x86(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %init: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%init : tensor<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  return %0 : tensor<8x32xf32>
}
}

// -----

// Elementwise and reductions: one row at a time, a small static inner dim whole.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @row_ops
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK:           arith.addf %{{.*}}, %{{.*}} : vector<1x64xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK:           vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x64xf32> to vector<1xf32>
func.func @row_ops(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>, %r: tensor<?xf32>) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %x : tensor<?x64xf32>, tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %1 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%0 : tensor<?x64xf32>) outs(%r : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

// An unknown target is an error naming it.
// expected-error @+1 {{unknown edge.target 'riscv64'}}
module attributes {edge.target = "riscv64"} {
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
}
