// RUN: edge-opt --edge-lower-ukernel-ops %s | FileCheck %s

// Buffer-form ukernel ops become ukernel calls through MLIR's C interface, with operands
// cast to the kernels' ranks (3-D rows, 2-D indices; a 2-D operand gains a leading unit
// dim). The matmul gets a heap scratch for its int8 activations: rows x (K / block) blocks
// x (8 + block) bytes = rows x 2 x 40 here.

// CHECK-DAG:   func.func private @edge_uk_qmatmul(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-DAG:   func.func private @edge_uk_dequant_rows(memref<?x?xi64, strided<[?, ?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-DAG:   func.func private @edge_uk_panel_matmul(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[X:.*]]: memref<?x64xf32>
// CHECK:         %[[M:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x64xf32>
// CHECK:         %[[PER_ROW:.*]] = arith.constant 80 : index
// CHECK:         %[[BYTES:.*]] = arith.muli %[[M]], %[[PER_ROW]] : index
// CHECK:         %[[SCRATCH:.*]] = memref.alloc(%[[BYTES]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK:         %[[X3:.*]] = memref.expand_shape %[[X]] {{\[\[}}0, 1], [2]] output_shape [1, %{{.*}}, 64] : memref<?x64xf32> into memref<1x?x64xf32>
// CHECK:         %[[XV:.*]] = memref.cast %[[X3]] : memref<1x?x64xf32> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
// CHECK-DAG:     %[[DTYPE:.*]] = arith.constant 10 : i64
// CHECK-DAG:     %[[BLOCK:.*]] = arith.constant 32 : i64
// CHECK:         call @edge_uk_qmatmul(%[[XV]], %{{.*}}, %{{.*}}, %{{.*}}, %[[DTYPE]], %[[BLOCK]])
// CHECK:         memref.dealloc %[[SCRATCH]]
// CHECK-NOT:     edge.quantized_matmul
func.func @matmul(%x: memref<?x64xf32>, %w: memref<1152xi8>, %y: memref<?x32xf32>) {
  edge.quantized_matmul "q4_0" block 32 %x, %w into %y : memref<?x64xf32>, memref<1152xi8>, memref<?x32xf32>
  return
}

// Rows of a 3-D operand are batch x rows.
// CHECK-LABEL: func.func @batched(
// CHECK:         %[[B:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<2x?x64xf32>
// CHECK:         %[[T:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<2x?x64xf32>
// CHECK:         %[[ROWS:.*]] = arith.muli %[[B]], %[[T]] : index
// CHECK:         arith.muli %[[ROWS]], %{{.*}} : index
// CHECK-NOT:     memref.expand_shape
// CHECK:         call @edge_uk_qmatmul(
func.func @batched(%x: memref<2x?x64xf32>, %w: memref<1152xi8>, %y: memref<2x?x32xf32>) {
  edge.quantized_matmul "q4_0" block 32 %x, %w into %y : memref<2x?x64xf32>, memref<1152xi8>, memref<2x?x32xf32>
  return
}

// CHECK-LABEL: func.func @embedding(
// CHECK-DAG:     %[[DTYPE:.*]] = arith.constant 9 : i64
// CHECK-DAG:     %[[ROWS:.*]] = arith.constant 100 : i64
// CHECK:         call @edge_uk_dequant_rows(%{{.*}}, %{{.*}}, %{{.*}}, %[[DTYPE]], %{{.*}}, %[[ROWS]])
// CHECK-NOT:     edge.quantized_embedding
func.func @embedding(%ids: memref<1x?xi64>, %t: memref<6800xi8>, %out: memref<1x?x64xf32>) {
  edge.quantized_embedding "q8_0" block 32 rows 100 %ids, %t into %out : memref<1x?xi64>, memref<6800xi8>, memref<1x?x64xf32>
  return
}

// A panel matmul passes its three operands as 3-D views (the packed weight already is
// one) and whether it accumulates; no scratch.
// CHECK-LABEL: func.func @panels(
// CHECK-NOT:     memref.alloc
// CHECK:         %[[WV:.*]] = memref.cast %{{.*}} : memref<2x64x16xf32> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         call @edge_uk_panel_matmul(%{{.*}}, %[[WV]], %{{.*}}, %[[ZERO]])
// CHECK:         %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:         call @edge_uk_panel_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %[[ONE]])
// CHECK-NOT:     edge.panel_matmul
func.func @panels(%x: memref<1x?x64xf32>, %w: memref<2x64x16xf32>, %y: memref<1x?x32xf32>) {
  edge.panel_matmul %x, %w into %y : memref<1x?x64xf32>, memref<2x64x16xf32>, memref<1x?x32xf32>
  edge.panel_matmul %x, %w into %y accumulate : memref<1x?x64xf32>, memref<2x64x16xf32>, memref<1x?x32xf32>
  return
}
