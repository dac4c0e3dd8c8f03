// RUN: edge-opt --split-input-file --edge-outline-repeated-layers="minimum-ops=3" %s | FileCheck %s

// Three identical layers, each reading the previous layer's buffer and its own weight
// slice (at a different offset): one function, called three times. The offsets become an
// argument; %c1 and %zero, the same constants in every layer, are cloned into the
// function; the buffer each layer allocates and the next reads is allocated by the caller
// and passed in.
// CHECK-LABEL: func.func private @main_layer0
// CHECK-SAME:      (%[[W:.*]]: memref<?xi8>, %[[OFFSET:.*]]: index, %[[X:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>) {
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[V:.*]] = memref.view %[[W]][%[[OFFSET]]][] : memref<?xi8> to memref<4xf32>
// CHECK-NEXT:    linalg.add ins(%[[X]], %[[V]] : memref<4xf32>, memref<4xf32>) outs(%[[B]] : memref<4xf32>)
// CHECK-NEXT:    memref.store %[[ZERO]], %[[B]][%[[C1]]]
// CHECK-NEXT:    return
// CHECK-LABEL: func.func @main
// CHECK:         %[[B0:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    call @main_layer0(%arg1, %c0, %arg0, %[[B0]]) : (memref<?xi8>, index, memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    %[[B1:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    call @main_layer0(%arg1, %c16, %[[B0]], %[[B1]])
// CHECK-NEXT:    %[[B2:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    call @main_layer0(%arg1, %c32, %[[B1]], %[[B2]])
// CHECK-NEXT:    memref.copy %[[B2]], %arg2
// CHECK-NOT:     linalg.add
func.func @main(%x: memref<4xf32>, %w: memref<?xi8>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %v0 = memref.view %w[%c0][] : memref<?xi8> to memref<4xf32>
  %b0 = memref.alloc() : memref<4xf32>
  linalg.add ins(%x, %v0 : memref<4xf32>, memref<4xf32>) outs(%b0 : memref<4xf32>)
  memref.store %zero, %b0[%c1] : memref<4xf32>
  %v1 = memref.view %w[%c16][] : memref<?xi8> to memref<4xf32>
  %b1 = memref.alloc() : memref<4xf32>
  linalg.add ins(%b0, %v1 : memref<4xf32>, memref<4xf32>) outs(%b1 : memref<4xf32>)
  memref.store %zero, %b1[%c1] : memref<4xf32>
  %v2 = memref.view %w[%c32][] : memref<?xi8> to memref<4xf32>
  %b2 = memref.alloc() : memref<4xf32>
  linalg.add ins(%b1, %v2 : memref<4xf32>, memref<4xf32>) outs(%b2 : memref<4xf32>)
  memref.store %zero, %b2[%c1] : memref<4xf32>
  memref.copy %b2, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// The middle layer differs (linalg.sub): no two neighbours are the same, nothing is
// outlined.
// CHECK:         {{^}}// {{-+}}
// CHECK-NOT:     func.func private
// CHECK-LABEL:   func.func @main(
// CHECK-NOT:     call
// CHECK:         linalg.add
// CHECK:         linalg.sub
// CHECK:         linalg.add
func.func @main(%x: memref<4xf32>, %w: memref<?xi8>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %v0 = memref.view %w[%c0][] : memref<?xi8> to memref<4xf32>
  %b0 = memref.alloc() : memref<4xf32>
  linalg.add ins(%x, %v0 : memref<4xf32>, memref<4xf32>) outs(%b0 : memref<4xf32>)
  %v1 = memref.view %w[%c16][] : memref<?xi8> to memref<4xf32>
  %b1 = memref.alloc() : memref<4xf32>
  linalg.sub ins(%b0, %v1 : memref<4xf32>, memref<4xf32>) outs(%b1 : memref<4xf32>)
  %v2 = memref.view %w[%c32][] : memref<?xi8> to memref<4xf32>
  %b2 = memref.alloc() : memref<4xf32>
  linalg.add ins(%b1, %v2 : memref<4xf32>, memref<4xf32>) outs(%b2 : memref<4xf32>)
  memref.copy %b2, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A scratch buffer each layer allocates and frees (a lowering's) stays inside the
// function with its deallocation; the input's deallocation, inside the last layer, moves
// after that layer's call.
// CHECK-LABEL:   func.func private @main_layer0
// CHECK:           %[[S:.*]] = memref.alloc() : memref<4xf32>
// CHECK:           memref.dealloc %[[S]]
// CHECK:           return
// CHECK-LABEL:   func.func @main(
// CHECK-COUNT-3:   call @main_layer0
// CHECK-NEXT:      memref.dealloc %arg0
// CHECK-NEXT:      return
func.func @main(%x: memref<4xf32>, %w: memref<4xf32>) {
  linalg.add ins(%x, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  %s0 = memref.alloc() : memref<4xf32>
  linalg.mul ins(%w, %w : memref<4xf32>, memref<4xf32>) outs(%s0 : memref<4xf32>)
  linalg.add ins(%s0, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  memref.dealloc %s0 : memref<4xf32>
  linalg.add ins(%x, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  %s1 = memref.alloc() : memref<4xf32>
  linalg.mul ins(%w, %w : memref<4xf32>, memref<4xf32>) outs(%s1 : memref<4xf32>)
  linalg.add ins(%s1, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  memref.dealloc %s1 : memref<4xf32>
  linalg.add ins(%x, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  %s2 = memref.alloc() : memref<4xf32>
  linalg.mul ins(%w, %w : memref<4xf32>, memref<4xf32>) outs(%s2 : memref<4xf32>)
  memref.dealloc %x : memref<4xf32>
  linalg.add ins(%s2, %w : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  memref.dealloc %s2 : memref<4xf32>
  return
}
