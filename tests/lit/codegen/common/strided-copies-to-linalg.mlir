// RUN: edge-opt --edge-strided-copies-to-linalg %s | FileCheck %s

// CHECK-LABEL: func.func @copies
// CHECK:         memref.copy %arg0, %arg1 : memref<4x16xf32> to memref<4x16xf32>
// CHECK:         linalg.copy ins(%{{.*}} : memref<4x8xf32, strided<[16, 1]>>) outs(%{{.*}} : memref<4x8xf32>)
// CHECK-NOT:     memref.copy
func.func @copies(%a: memref<4x16xf32>, %b: memref<4x16xf32>, %c: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x16xf32> to memref<4x16xf32>
  %s = memref.subview %a[0, 0] [4, 8] [1, 1] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1]>>
  memref.copy %s, %c : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  return
}
