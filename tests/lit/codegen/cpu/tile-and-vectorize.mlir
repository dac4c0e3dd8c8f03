// RUN: edge-opt --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(edge-cpu-select-strategy, func.func(edge-tile-and-vectorize))' %s | FileCheck %s

// AArch64 NEON: a 4x16 accumulator, K stepped by 1, N tiles outside M tiles. The dynamic
// M is split at its last multiple of 4: full 4-row tiles become vector.contract with K
// innermost; the rest is tiled one row at a time with a wider N tile.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "aarch64"} {
// CHECK-LABEL: func.func @matmul_aarch64
// CHECK:         %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK:         %[[SPLIT:.*]] = affine.min #{{.*}}()[%[[DIM]]]
// CHECK:         scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK:           scf.for %{{.*}} = %c0 to %{{.*}} step %c4
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:               vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK:         %[[REST:.*]] = affine.apply #{{.*}}()[%[[DIM]], %[[SPLIT]]]
// CHECK:         scf.for %{{.*}} = %c0 to %[[REST]] step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:             vector.contract {{.*}} : vector<1x1xf32>, vector<1x32xf32> into vector<1x32xf32>
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

// x86-64 (AVX2 baseline): N tiles are two 8-lane vectors wide; a static M needs no split.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "x86_64"} {
// CHECK-LABEL: func.func @matmul_x86
// CHECK:         scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK:           scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:               vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK-NOT:     linalg.generic
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

// Gemm's transB reads the weight as (n, k): the vector.contract keeps that map.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#bt = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @matmul_transposed_b
// CHECK:         vector.contract {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}]{{.*}} : vector<4x1xf32>, vector<16x1xf32> into vector<4x16xf32>
func.func @matmul_transposed_b(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>, %init: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<16x8xf32>) outs(%init : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Bool tensors are bytes in memory and LLVM packs vectors of i1 into bits: a comparison
// writing bools stays a scalar loop.
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @compare_to_bool
// CHECK-NOT:     vector.
// CHECK:         arith.cmpf ogt
func.func @compare_to_bool(%a: tensor<16xf32>, %b: tensor<16xf32>, %init: tensor<16xi1>) -> tensor<16xi1> {
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<16xf32>, tensor<16xf32>) outs(%init : tensor<16xi1>) {
  ^bb0(%x: f32, %y: f32, %o: i1):
    %c = arith.cmpf ogt, %x, %y : f32
    linalg.yield %c : i1
  } -> tensor<16xi1>
  return %0 : tensor<16xi1>
}

// -----

// An unknown target is an error naming it.
// expected-error @+1 {{unknown edge.target 'mips64'}}
module attributes {edge.target = "mips64"} {
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
}
