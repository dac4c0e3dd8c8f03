// RUN: edge-opt --split-input-file --edge-shape-buffers-to-views %s | FileCheck %s

// The sizes stored into the shape buffer become the reinterpret_cast's sizes, their
// suffix products its strides; the shape buffer goes away.
// CHECK-LABEL: func.func @reshape
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.store
// CHECK:         %[[ROW:.*]] = arith.muli %{{.*}}, %arg1 : index
// CHECK:         memref.reinterpret_cast %arg0 to offset: [0], sizes: [1, %arg1], strides: [%[[ROW]], 1] : memref<?xi64> to memref<1x?xi64>
// CHECK-NOT:     memref.reshape
func.func @reshape(%x: memref<?xi64>, %n: index) -> memref<1x?xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %shape = memref.alloc() {alignment = 64 : i64} : memref<2xindex>
  memref.store %c1, %shape[%c0] : memref<2xindex>
  memref.store %n, %shape[%c1] : memref<2xindex>
  %r = memref.reshape %x(%shape) : (memref<?xi64>, memref<2xindex>) -> memref<1x?xi64>
  return %r : memref<1x?xi64>
}

// -----

// A shape buffer written after the reshape reads it cannot be trusted: left alone.
// CHECK-LABEL: func.func @late_store
// CHECK:         memref.reshape
func.func @late_store(%x: memref<?xi64>, %n: index) -> memref<1x?xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %shape = memref.alloc() : memref<2xindex>
  memref.store %c1, %shape[%c0] : memref<2xindex>
  %r = memref.reshape %x(%shape) : (memref<?xi64>, memref<2xindex>) -> memref<1x?xi64>
  memref.store %n, %shape[%c1] : memref<2xindex>
  return %r : memref<1x?xi64>
}
