// RUN: edge-opt --split-input-file --verify-diagnostics --edge-linearize-kernel-memrefs %s | FileCheck %s

// Both buffers reach the kernel as flat arrays of their base buffers. The identity-layout
// %a has offset 0 and unit inner stride as kernel constants and its row stride from the
// host; the strided %b passes its offset and row stride. The launch body addresses
// offset + i * stride_i + j * stride_j; constants are cloned into the body.
// CHECK-LABEL: func.func @transpose_copy
// CHECK:         %[[BASE_A:.*]], %{{.*}}, %{{.*}}:2, %[[STRIDES_A:.*]]:2 = memref.extract_strided_metadata %arg0
// CHECK:         %[[FLAT_A:.*]] = memref.reinterpret_cast %[[BASE_A]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK:         %[[BASE_B:.*]], %[[OFF_B:.*]], %{{.*}}:2, %[[STRIDES_B:.*]]:2 = memref.extract_strided_metadata %arg1
// CHECK:         %[[FLAT_B:.*]] = memref.reinterpret_cast %[[BASE_B]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in
// CHECK-DAG:       %[[C0:.*]] = arith.constant 0 : index
// CHECK:           %[[ROW_A:.*]] = arith.muli %[[BX]], %[[STRIDES_A]]#0
// CHECK:           %[[AT_A:.*]] = arith.addi %[[C0]], %[[ROW_A]]
// CHECK:           %[[COL_A:.*]] = arith.muli %[[TX]], %{{.*}}
// CHECK:           %[[INDEX_A:.*]] = arith.addi %[[AT_A]], %[[COL_A]]
// CHECK:           %[[V:.*]] = memref.load %[[FLAT_A]][%[[INDEX_A]]] : memref<?xf32>
// CHECK:           %[[ROW_B:.*]] = arith.muli %[[TX]], %[[STRIDES_B]]#0
// CHECK:           arith.addi %[[OFF_B]], %[[ROW_B]]
// CHECK:           memref.store %[[V]], %[[FLAT_B]][%{{.*}}] : memref<?xf32>
// CHECK-NOT:       memref.dim
func.func @transpose_copy(%a: memref<?x?xf32>, %b: memref<?x?xf32, strided<[?, 1], offset: ?>>, %n: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %cols = memref.dim %a, %c1 : memref<?x?xf32>
    %v = memref.load %a[%bx, %tx] : memref<?x?xf32>
    memref.store %v, %b[%tx, %bx] : memref<?x?xf32, strided<[?, 1], offset: ?>>
    gpu.terminator
  }
  return
}

// -----

// A use the kernel cannot address flatly is an error naming the op.
func.func @subview_in_kernel(%a: memref<?xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{a GPU kernel uses a buffer in an op edgec cannot address flatly: memref.subview}}
    %s = memref.subview %a[%bx] [1] [1] : memref<?xf32> to memref<1xf32, strided<[1], offset: ?>>
    gpu.terminator
  }
  return
}
