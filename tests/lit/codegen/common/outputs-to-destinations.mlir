// RUN: edge-opt --split-input-file --edge-outputs-to-destinations %s | FileCheck %s

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32>, %[[OUT0:.*]]: tensor<?x4xf32> {edge.output}, %[[OUT1:.*]]: tensor<4xf32> {edge.output})
// CHECK:         %[[A:.*]] = bufferization.materialize_in_destination %[[X]] in %[[OUT0]]
// CHECK:         %[[B:.*]] = bufferization.materialize_in_destination %{{.*}} in %[[OUT1]]
// CHECK:         return %[[A]], %[[B]]
func.func @main(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>) {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  return %x, %c : tensor<?x4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func private @helper(%{{.*}}: tensor<2xf32>) -> tensor<2xf32>
// CHECK-NOT:     materialize_in_destination
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
