// RUN: edge-opt --split-input-file --pass-pipeline='builtin.module(edge-cpu-select-strategy, func.func(edge-pack-weights))' %s | FileCheck %s

// [K, N] = [64, 32] on aarch64 (nr = 16): stored as two 64x16 panels; the matmul runs
// over (m, n0, n1, k) on an expanded accumulator.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "aarch64"} {
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @kn
// CHECK:         %[[W:.*]] = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
// CHECK:         %[[ACC:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 2, 16] : tensor<?x32xf32> into tensor<?x2x16xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%arg0, %[[W]] : tensor<?x64xf32>, tensor<2x64x16xf32>) outs(%[[ACC]] : tensor<?x2x16xf32>)
// CHECK:         tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<?x2x16xf32> into tensor<?x32xf32>
func.func @kn(%x: tensor<?x64xf32>, %acc: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %w = edge.weight @w offset 0 : tensor<64x32xf32>
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x64xf32>, tensor<64x32xf32>) outs(%acc : tensor<?x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
}

// -----

// Gemm's transB weight [N, K] packs into the same panels, marked pack_from_nk.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#bt = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "x86_64"} {
// CHECK-LABEL: func.func @nk
// CHECK:         edge.weight @w offset 0 {pack_from_nk, pack_n = 16 : i64} : tensor<2x8x16xf32>
func.func @nk(%x: tensor<4x8xf32>, %acc: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %w = edge.weight @w offset 0 : tensor<32x8xf32>
  %0 = linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x8xf32>, tensor<32x8xf32>) outs(%acc : tensor<4x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}
}

// -----

// N = 10 is no multiple of 16: left as it is.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = "x86_64"} {
// CHECK-LABEL: func.func @ragged
// CHECK:         edge.weight @w offset 0 : tensor<8x10xf32>
// CHECK-NOT:     pack_n
func.func @ragged(%x: tensor<4x8xf32>, %acc: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %w = edge.weight @w offset 0 : tensor<8x10xf32>
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x8xf32>, tensor<8x10xf32>) outs(%acc : tensor<4x10xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}
}
