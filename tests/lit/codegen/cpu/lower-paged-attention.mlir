// RUN: edge-opt --edge-lower-paged-attention %s | FileCheck %s

// The buffer form becomes a call of the runtime kernel; every 4-D operand is cast to a
// fully dynamic strided view, so one declaration serves any layout the bufferizer chose.

// CHECK:       func.func private @edge_rt_paged_attention(memref<?xi8>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>,
// CHECK-SAME:    i64, f32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[CTX:.*]]: memref<?xi8>, %[[Q:.*]]: memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>,
// CHECK-DAG:     %[[QV:.*]] = memref.cast %[[Q]] : memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG:     %[[LAYER:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK:         call @edge_rt_paged_attention(%[[CTX]], %[[QV]], %{{.*}}, %{{.*}}, %{{.*}}, %[[LAYER]], %[[SCALE]])
// CHECK-NOT:     edge.paged_attention
func.func @main(%ctx: memref<?xi8>, %q: memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>,
                %k: memref<1x2x?x16xf32>, %v: memref<1x2x?x16xf32>, %out: memref<1x4x?x16xf32>) {
  edge.paged_attention layer 3 scale 0.25 %ctx, %q, %k, %v into %out
      : memref<?xi8>, memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>, memref<1x2x?x16xf32>,
        memref<1x2x?x16xf32>, memref<1x4x?x16xf32>
  return
}
