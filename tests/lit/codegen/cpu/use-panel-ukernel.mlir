// RUN: edge-opt --split-input-file --pass-pipeline='builtin.module(func.func(edge-use-panel-ukernel, canonicalize))' %s | FileCheck %s

// The contraction edge-pack-weights makes of x [?, 64] by a [64, 32] weight (two 64x16
// panels) becomes edge.panel_matmul on the accumulator un-expanded; the packer's reshape
// pair folds away. The accumulator is an argument, so the op adds to it.
#a = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows
// CHECK-SAME:    (%[[X:.*]]: tensor<?x64xf32>, %[[ACC:.*]]: tensor<?x32xf32>)
// CHECK:         %[[W:.*]] = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
// CHECK:         %[[Y:.*]] = edge.panel_matmul %[[X]], %[[W]] into %[[ACC]] accumulate : tensor<?x64xf32>, tensor<2x64x16xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
// CHECK:         return %[[Y]]
// CHECK-NOT:     linalg.generic
func.func @rows(%x: tensor<?x64xf32>, %acc: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x64xf32>
  %w = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
  %e = tensor.expand_shape %acc [[0], [1, 2]] output_shape [%m, 2, 16] : tensor<?x32xf32> into tensor<?x2x16xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x64xf32>, tensor<2x64x16xf32>) outs(%e : tensor<?x2x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x2x16xf32>
  %y = tensor.collapse_shape %r [[0], [1, 2]] : tensor<?x2x16xf32> into tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// Batched rows [B, T, K] with a zero-filled accumulator made in the panel shape: the
// fill is dropped and the op, not accumulating, writes the empty tensor (collapsed to
// the [B, T, N] shape it takes).
#a = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
#b = affine_map<(d0, d1, d2, d3, d4) -> (d2, d4, d3)>
#c = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @batched
// CHECK-NOT:     linalg.fill
// CHECK:         %[[EMPTY:.*]] = tensor.empty(%{{.*}}) : tensor<1x?x2x16xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         %[[INIT:.*]] = tensor.collapse_shape %[[EMPTY]] {{\[}}[0], [1], [2, 3]] : tensor<1x?x2x16xf32> into tensor<1x?x32xf32>
// CHECK:         edge.panel_matmul %{{.*}}, %{{.*}} into %[[INIT]] : tensor<1x?x64xf32>, tensor<2x64x16xf32>, tensor<1x?x32xf32> -> tensor<1x?x32xf32>
func.func @batched(%x: tensor<1x?x64xf32>) -> tensor<1x?x2x16xf32> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %w = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
  %empty = tensor.empty(%t) : tensor<1x?x2x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x?x2x16xf32>) -> tensor<1x?x2x16xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x?x64xf32>, tensor<2x64x16xf32>) outs(%acc : tensor<1x?x2x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<1x?x2x16xf32>
  return %r : tensor<1x?x2x16xf32>
}

// -----

// Not plain products of rows by the matrix, so left for edge-tile-and-vectorize: a weight
// that is not packed, and rows of A read transposed.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#at = affine_map<(d0, d1, d2, d3) -> (d3, d0)>
#bp = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
#cp = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @unpacked
// CHECK-NOT:     edge.panel_matmul
// CHECK:         linalg.generic
func.func @unpacked(%x: tensor<4x64xf32>, %acc: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %w = edge.weight @w offset 0 : tensor<64x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x64xf32>, tensor<64x32xf32>) outs(%acc : tensor<4x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}
// CHECK-LABEL: func.func @transposed_rows
// CHECK-NOT:     edge.panel_matmul
// CHECK:         linalg.generic
func.func @transposed_rows(%xt: tensor<64x4xf32>, %acc: tensor<4x2x16xf32>) -> tensor<4x2x16xf32> {
  %w = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
  %r = linalg.generic {indexing_maps = [#at, #bp, #cp], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%xt, %w : tensor<64x4xf32>, tensor<2x64x16xf32>) outs(%acc : tensor<4x2x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<4x2x16xf32>
  return %r : tensor<4x2x16xf32>
}
