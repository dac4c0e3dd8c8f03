// RUN: edge-opt --edge-quantized-ops-to-loops %s | FileCheck %s

// q8_0 matmul: first the inputs are quantized as the CPU ukernels do, one parallel
// iteration per (row, block of 32): the largest magnitude, then each value times
// 127 / max rounded half away from zero (the +-0.5 then truncation) and clamped to
// +-127, stored as i32 with the block's scale (max / 127) and sum.
// CHECK-LABEL: func.func @matmul
// CHECK:         %[[BLOCKS:.*]] = arith.divui %{{.*}}, %c32
// CHECK:         %[[QA:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK:         %[[SCALES:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         scf.parallel (%[[R:.*]], %[[RJ:.*]]) = {{.*}} to (%{{.*}}, %[[BLOCKS]])
// CHECK:           %[[AMAX:.*]] = scf.for {{.*}} -> (f32)
// CHECK:             memref.load %arg0[%[[R]], %{{.*}}] : memref<?x64xf32>
// CHECK:             arith.cmpf ogt
// CHECK:           arith.divf %[[AMAX]], %cst{{.*}} : f32
// CHECK:           scf.for {{.*}} -> (i32)
// CHECK:             arith.select %{{.*}}, %cst{{.*}}, %cst{{.*}} : f32
// CHECK:             %[[ROUNDED:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK:             arith.maxsi %[[ROUNDED]], %c-127_i32
// CHECK:             memref.store %{{.*}}, %[[QA]][%{{.*}}] : memref<?xi32>
// CHECK:           memref.store %{{.*}}, %[[SCALES]][%{{.*}}] : memref<?xf32>
// Then one output element per parallel iteration; per weight block (34 bytes: f16 scale
// + 32 int8) the integer dot product of the quantized inputs with the sign-extended int8
// values, times input scale * weight scale (f16 decoded with integer operations).
// CHECK:         scf.parallel (%[[M:.*]], %[[N:.*]]) =
// CHECK:           %[[ACC:.*]] = scf.for %[[J:.*]] = %{{.*}} to %[[BLOCKS]]
// CHECK:             %[[ROW:.*]] = arith.muli %[[N]], %[[BLOCKS]]
// CHECK:             %[[BLOCK:.*]] = arith.addi %[[ROW]], %[[J]]
// CHECK:             %[[BASE:.*]] = arith.muli %[[BLOCK]], %c34
// CHECK:             %[[DOT:.*]] = scf.for {{.*}} -> (i32) {
// CHECK:               %[[A:.*]] = memref.load %[[QA]][%{{.*}}] : memref<?xi32>
// CHECK:               %[[Q:.*]] = memref.load %arg1[%{{.*}}] : memref<136xi8>
// CHECK:               %[[W:.*]] = arith.extsi %[[Q]] : i8 to i32
// CHECK:               arith.muli %[[A]], %[[W]] : i32
// CHECK:             %[[AS:.*]] = memref.load %[[SCALES]]
// CHECK:             memref.load %arg1[%[[BASE]]] : memref<136xi8>
// CHECK:             arith.shli %{{.*}}, %c8_i32
// CHECK:             arith.select
// CHECK:             %[[BOTH:.*]] = arith.mulf %[[AS]], %{{.*}} : f32
// CHECK:             %[[DOTF:.*]] = arith.sitofp %[[DOT]] : i32 to f32
// CHECK:             arith.mulf %[[BOTH]], %[[DOTF]]
// CHECK:           memref.store %[[ACC]], %arg2[%[[M]], %[[N]]] : memref<?x2xf32>
// CHECK-NOT:     edge.quantized_matmul

// q4_0 embedding: the id (negative from the end) picks the row; the value's nibble is
// shifted out of its byte and centred by 8; ids out of range give 0.
// CHECK-LABEL: func.func @embedding
// CHECK:         scf.parallel (%[[B:.*]], %[[T:.*]], %[[W:.*]]) =
// CHECK:           %[[ID:.*]] = memref.load %arg0[%[[B]], %[[T]]] : memref<1x?xi64>
// CHECK:           arith.cmpi slt, %[[ID]]
// CHECK:           arith.shrui %{{.*}}, %{{.*}} : i32
// CHECK:           arith.subi %{{.*}}, %c8_i32
// CHECK:           memref.store %{{.*}}, %arg2[%[[B]], %[[T]], %[[W]]] : memref<1x?x32xf32>
// CHECK-NOT:     edge.quantized_embedding
func.func @matmul(%x: memref<?x64xf32>, %w: memref<136xi8>, %y: memref<?x2xf32>) {
  edge.quantized_matmul "q8_0" block 32 %x, %w into %y : memref<?x64xf32>, memref<136xi8>, memref<?x2xf32>
  return
}
func.func @embedding(%ids: memref<1x?xi64>, %table: memref<72xi8>, %out: memref<1x?x32xf32>) {
  edge.quantized_embedding "q4_0" block 32 rows 4 %ids, %table into %out : memref<1x?xi64>, memref<72xi8>, memref<1x?x32xf32>
  return
}
