// RUN: edge-opt --split-input-file --edge-bind-weights %s | FileCheck %s

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[BUF:.*]]: memref<?xi8> {edge.weights}, %{{.*}}: tensor<?x4xf32>)
// CHECK:         %[[OFF:.*]] = arith.constant 64 : index
// CHECK:         %[[VIEW:.*]] = memref.view %[[BUF]][%[[OFF]]][] : memref<?xi8> to memref<4x8xf32>
// CHECK:         %[[T:.*]] = bufferization.to_tensor %[[VIEW]] restrict : memref<4x8xf32> to tensor<4x8xf32>
// CHECK:         return %[[T]]
func.func @main(%x: tensor<?x4xf32>) -> tensor<4x8xf32> {
  %w = edge.weight @fc offset 64 : tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}

// -----

// A public entry without weights still takes the buffer: the ABI does not depend on it.
// CHECK-LABEL: func.func @no_weights(
// CHECK-SAME:    %{{.*}}: memref<?xi8> {edge.weights}, %{{.*}}: tensor<2xf32>)
func.func @no_weights(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// Private helpers without weights are left alone.
// CHECK-LABEL: func.func private @helper(%{{.*}}: tensor<2xf32>)
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
