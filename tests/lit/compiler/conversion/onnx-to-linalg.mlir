// RUN: edge-opt --split-input-file --verify-diagnostics --convert-onnx-to-linalg --canonicalize %s | FileCheck %s

// Broadcasting: the bias reads only the trailing dim; dynamic dims come from tensor.dim.
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK:         %[[D:.*]] = tensor.dim %arg0, %c0 : tensor<?x8xf32>
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x8xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[LAST]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<?x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<?x8xf32>)
// CHECK:           arith.addf
func.func @add_broadcast(%x: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = onnx.Add %x, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A batched activation times a 2-D weight: one contraction over (b, m, n, k).
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batched
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x?x32xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      outs(%[[ACC]] : tensor<1x?x32xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @matmul_batched(%a: tensor<1x?x16xf32>, %w: tensor<16x32xf32>) -> tensor<1x?x32xf32> {
  %0 = onnx.MatMul %a, %w : (tensor<1x?x16xf32>, tensor<16x32xf32>) -> tensor<1x?x32xf32>
  return %0 : tensor<1x?x32xf32>
}

// -----

// Gemm with transB reads B as (n, k); alpha and C fold into one elementwise generic.
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm_transb
// CHECK:         %[[P:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:         linalg.generic {{.*}} ins(%[[P]], %arg2 : tensor<?x4xf32>, tensor<4xf32>)
// CHECK:           arith.mulf %{{.*}}, %cst
// CHECK:           arith.addf
func.func @gemm_transb(%a: tensor<?x8xf32>, %w: tensor<4x8xf32>, %c: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = onnx.Gemm %a, %w, %c {transB = 1 : i64, alpha = 0.5 : f32} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A constant shape folds: 0 copies the input dim; static result dims come from the type.
// CHECK-LABEL: func.func @reshape
// CHECK:         tensor.dim %arg0, %c1
// CHECK:         %[[SHAPE:.*]] = tensor.from_elements %c1, %{{.*}}, %c4, %c4 : tensor<4xindex>
// CHECK:         tensor.reshape %arg0(%[[SHAPE]]) : (tensor<1x?x16xf32>, tensor<4xindex>) -> tensor<1x?x4x4xf32>
func.func @reshape(%a: tensor<1x?x16xf32>) -> tensor<1x?x4x4xf32> {
  %s = arith.constant dense<[0, 0, 4, -1]> : tensor<4xi64>
  %0 = onnx.Reshape %a, %s : (tensor<1x?x16xf32>, tensor<4xi64>) -> tensor<1x?x4x4xf32>
  return %0 : tensor<1x?x4x4xf32>
}

// -----

// A shape known only at run time: 0 and -1 are resolved with selects on its elements.
// CHECK-LABEL: func.func @reshape_runtime
// CHECK:         %[[E:.*]] = tensor.extract %arg1[%c0]
// CHECK:         arith.cmpi eq, %{{.*}}, %c-1
// CHECK:         arith.divui
// CHECK:         tensor.reshape %arg0(%{{.*}}) : (tensor<?x16xf32>, tensor<2xindex>) -> tensor<?x?xf32>
func.func @reshape_runtime(%a: tensor<?x16xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = onnx.Reshape %a, %s : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Negative indices wrap; every index is clamped into the table, so no input reads out
// of bounds.
// CHECK-LABEL: func.func @gather
// CHECK:         linalg.generic {{.*}} ins(%arg1 : tensor<?xi64>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:           %[[I:.*]] = arith.index_cast
// CHECK:           %[[NEG:.*]] = arith.cmpi slt, %[[I]], %c0
// CHECK:           %[[WRAP:.*]] = arith.addi %[[I]], %c50
// CHECK:           %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[I]]
// CHECK:           %[[MIN:.*]] = arith.minsi %[[SEL]], %c49
// CHECK:           %[[ROW:.*]] = arith.maxsi %[[MIN]], %c0
// CHECK:           %[[COL:.*]] = linalg.index 1
// CHECK:           tensor.extract %arg0[%[[ROW]], %[[COL]]] : tensor<50x8xf32>
func.func @gather(%t: tensor<50x8xf32>, %ids: tensor<?xi64>) -> tensor<?x8xf32> {
  %0 = onnx.Gather %t, %ids : (tensor<50x8xf32>, tensor<?xi64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
// CHECK:         %[[SUM:.*]] = linalg.reduce ins(%arg0 : tensor<?x16xf32>) outs(%{{.*}} : tensor<?xf32>) dimensions = [1]
// CHECK:         %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?xf32>)
// CHECK:           arith.divf %{{.*}}, %cst
// CHECK:         tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
func.func @reduce_mean(%a: tensor<?x16xf32>) -> tensor<?x1xf32> {
  %0 = onnx.ReduceMean %a {axes = array<i64: -1>} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// linalg.softmax, decomposed by MLIR: max, exp(x - max), sum, divide.
// CHECK-LABEL: func.func @softmax
// CHECK:         arith.maxnumf
// CHECK:         math.exp
// CHECK:         arith.addf
// CHECK:         arith.divf
// CHECK-NOT:     linalg.softmax
func.func @softmax(%a: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %0 = onnx.Softmax %a {axis = 1 : si64} : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// An op outside what the pass lowers is an error naming it.
func.func @unsupported(%a: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{cannot lower onnx.Erf with operand types 'tensor<4xi64>'}}
  %0 = onnx.Erf %a : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Slice clamps its run-time bounds as ONNX does; a positive step is a strided view.
// CHECK-LABEL: func.func @slice
// CHECK:         %[[START:.*]] = arith.minsi %{{.*}}, %[[DIM:.*]] : index
// CHECK:         %[[SPAN:.*]] = arith.subi %{{.*}}, %[[START]] : index
// CHECK:         %[[COUNT:.*]] = arith.ceildivsi %[[SPAN]], %c2 : index
// CHECK:         %[[SIZE:.*]] = arith.maxsi %[[COUNT]], %c0 : index
// CHECK:         tensor.extract_slice %arg0[%[[START]], 0] [%[[SIZE]], 8] [2, 1]
func.func @slice(%a: tensor<?x8xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x8xf32> {
  %0 = onnx.Slice %a, %s, %e {axes = array<i64: 0>, steps = array<i64: 2>} : (tensor<?x8xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Concat inserts each input at its offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK:         %[[D:.*]] = tensor.dim %arg0, %c1
// CHECK:         %[[N:.*]] = arith.addi %[[D]], %c3
// CHECK:         %[[E:.*]] = tensor.empty(%[[N]]) : tensor<2x?x4xf32>
// CHECK:         %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0]
// CHECK:         tensor.insert_slice %arg1 into %[[A]][0, %[[D]], 0] [2, 3, 4] [1, 1, 1]
func.func @concat(%a: tensor<2x?x4xf32>, %b: tensor<2x3x4xf32>) -> tensor<2x?x4xf32> {
  %0 = onnx.Concat %a, %b {axis = 1 : si64} : (tensor<2x?x4xf32>, tensor<2x3x4xf32>) -> tensor<2x?x4xf32>
  return %0 : tensor<2x?x4xf32>
}

// -----

// Where broadcasts all three operands (a scalar y reads no index).
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @where
// CHECK:         linalg.generic {indexing_maps = [#[[C]], #{{.*}}, #[[S]], #{{.*}}]
// CHECK:           arith.select
func.func @where(%c: tensor<4x1xi1>, %x: tensor<4x8xf32>, %y: tensor<f32>) -> tensor<4x8xf32> {
  %0 = onnx.Where %c, %x, %y : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Einsum: the output's letters are parallel loops, the summed letter a reduction.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @einsum
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>) -> tensor<2x3x5xf32> {
  %0 = onnx.Einsum %a, %b {equation = "bik,bjk->bij"} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Exclusive CumSum sums the elements strictly before each index.
// CHECK-LABEL: func.func @cumsum
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           %[[I:.*]] = linalg.index 0
// CHECK:           %[[J:.*]] = linalg.index 1
// CHECK:           arith.cmpi slt, %[[J]], %[[I]]
func.func @cumsum(%a: tensor<6xi64>) -> tensor<6xi64> {
  %0 = onnx.CumSum %a {axis = 0 : si64, exclusive = 1 : i64} : tensor<6xi64>
  return %0 : tensor<6xi64>
}
