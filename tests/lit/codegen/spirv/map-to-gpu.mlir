// RUN: edge-opt --edge-map-to-gpu %s | FileCheck %s

// A fill becomes a loop over workgroups and threads with a bounds check: the innermost
// dim (100 wide) is mapped to x with 128 threads (its size rounded up to a power of two),
// the outer (dynamic) dim to y, one row per workgroup. A full reduction, which has no
// parallel dim, runs as one workgroup of one thread.
// CHECK-LABEL: func.func @fill_and_reduce
// CHECK-NOT:     linalg.
// CHECK:         %[[N:.*]] = memref.dim %arg0, %c0
// CHECK:         scf.parallel (%[[BI:.*]], %[[BJ:.*]]) = ({{.*}}) to (%[[N]], %c100) step
// CHECK:           scf.parallel
// CHECK:             %[[I:.*]] = arith.addi %{{.*}}, %[[BI]]
// CHECK:             %[[J:.*]] = arith.addi %{{.*}}, %[[BJ]]
// CHECK:             scf.if
// CHECK:               memref.store %cst, %arg0
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_y, {{.*}}>, #gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_y, {{.*}}>, #gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[ONE:.*]]) step (%[[ONE]]) {
// CHECK-NEXT:      scf.for
// CHECK-NEXT:        scf.for
// CHECK:               memref.store %{{.*}}, %arg1[] : memref<f32>
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
func.func @fill_and_reduce(%a: memref<?x100xf32>, %sum: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<?x100xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>],
                  iterator_types = ["reduction", "reduction"]}
      ins(%a : memref<?x100xf32>) outs(%sum : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}
