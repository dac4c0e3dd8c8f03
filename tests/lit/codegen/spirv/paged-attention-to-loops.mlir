// RUN: edge-opt --edge-paged-attention-to-loops %s | FileCheck %s

// The context is the KV arena, viewed as 32-bit words (its size is in bytes).
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[CTX:[a-z0-9]+]]: memref<?xi8>, %[[Q:[a-z0-9]+]]: memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>,
// CHECK-SAME:    %[[K:[a-z0-9]+]]: memref<1x2x?x16xf32>, %[[V:[a-z0-9]+]]: memref<1x2x?x16xf32>, %[[OUT:[a-z0-9]+]]: memref<1x4x?x16xf32>)
// CHECK:         %[[BYTES:.*]] = memref.dim %[[CTX]], %c0
// CHECK:         %[[WORDS:.*]] = arith.divui %[[BYTES]], %c4
// CHECK:         %[[ARENA:.*]] = memref.view %[[CTX]][%{{.*}}][%[[WORDS]]] : memref<?xi8> to memref<?xi32>

// 1. One iteration per (token, KV head, key or value) stores that row of the step: header
// word 3 locates the token records (4 words each), word 1 is the page size in positions,
// words 0, 2 and 5 the first page, the words per page and per row; layer 3 keys are plane
// 2 * 3 = 6, values plane 7. Header word 4, the pool's dtype, picks the row format: f16
// (2) two halves a word; int8 (5) an f32 scale max |x| / 127, then x * 127 / max rounded
// half away from zero, four a word; else f32 bits.
// CHECK:         scf.parallel (%[[T:.*]], %[[G:.*]], %[[KV:.*]]) = {{.*}} to (%{{.*}}, %{{.*}}, %c2{{.*}})
// CHECK:           memref.load %[[ARENA]][%c3{{.*}}] : memref<?xi32>
// CHECK:           arith.muli %c6, %{{.*}} : index
// CHECK:           memref.load %[[ARENA]][%c5{{.*}}] : memref<?xi32>
// CHECK:           arith.muli %c7, %{{.*}} : index
// CHECK:           %[[ISKEY:.*]] = arith.cmpi eq, %[[KV]], %c0
// CHECK:           %[[ROW:.*]] = arith.select %[[ISKEY]]
// CHECK:           %[[DTYPE:.*]] = memref.load %[[ARENA]][%c4{{.*}}] : memref<?xi32>
// CHECK:           %[[F16:.*]] = arith.cmpi eq, %[[DTYPE]], %c2_i32
// CHECK:           scf.if %[[F16]] {
// CHECK:             scf.for
// CHECK:               memref.load %[[K]][%{{.*}}, %[[G]], %[[T]], %{{.*}}]
// CHECK:               memref.load %[[V]][%{{.*}}, %[[G]], %[[T]], %{{.*}}]
// CHECK:               arith.select %[[ISKEY]]
// CHECK:               arith.shli %{{.*}}, %c16_i32
// CHECK:               memref.store %{{.*}}, %[[ARENA]][%{{.*}}] : memref<?xi32>
// CHECK:           } else {
// CHECK:             %[[I8:.*]] = arith.cmpi eq, %{{.*}}, %c5_i32
// CHECK:             scf.if %[[I8]] {
// CHECK:               %[[AMAX:.*]] = scf.for {{.*}} -> (f32)
// CHECK:                 math.absf
// CHECK:                 arith.maximumf
// CHECK:               %[[SCALE:.*]] = arith.divf %[[AMAX]], %cst
// CHECK:               %[[SCALEBITS:.*]] = arith.bitcast %[[SCALE]] : f32 to i32
// CHECK:               memref.store %[[SCALEBITS]], %[[ARENA]][%[[ROW]]]
// CHECK:               scf.for
// CHECK:                 arith.fptosi
// CHECK:                 arith.shli %{{.*}}, %c24_i32
// CHECK:                 memref.store %{{.*}}, %[[ARENA]]
// CHECK:             } else {
// CHECK:               scf.for
// CHECK:                 arith.bitcast %{{.*}} : f32 to i32
// CHECK:                 memref.store %{{.*}}, %[[ARENA]]

// 2. One iteration per (token, query head), its KV head h / (heads / kv_heads): the output
// row zeroed, then one loop over the positions from the window start to the token's own
// carrying the running maximum and sum; each key and value element read in the pool's
// format; at the end the row divided by the sum.
// CHECK:         scf.parallel (%[[T2:.*]], %[[H:.*]]) =
// CHECK:           arith.divui %[[H]], %{{.*}} : index
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %[[OUT]][%{{.*}}, %[[H]], %[[T2]], %{{.*}}]
// CHECK:           %[[LOOP:.*]]:2 = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[S:.*]] = %{{.*}}) -> (f32, f32)
// CHECK:             %[[SCORE:.*]] = scf.for {{.*}} -> (f32)
// CHECK:               arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:               scf.if %{{.*}} -> (f32) {
// CHECK:                 arith.shrui
// CHECK:               } else {
// CHECK:                 scf.if %{{.*}} -> (f32) {
// CHECK:                   arith.shrsi %{{.*}}, %c24_i32
// CHECK:                 } else {
// CHECK:                   arith.bitcast %{{.*}} : i32 to f32
// CHECK:             %[[FIRST:.*]] = arith.cmpi eq, %[[J]]
// CHECK:             %[[MAX:.*]] = arith.maximumf %[[M]], %[[SCORE]]
// CHECK:             %[[HIGH:.*]] = arith.select %[[FIRST]], %[[SCORE]], %[[MAX]]
// CHECK:             math.exp
// CHECK:             %[[RESCALE:.*]] = arith.select %[[FIRST]]
// CHECK:             %[[WEIGHT:.*]] = math.exp
// CHECK:             scf.for
// CHECK:               arith.mulf %{{.*}}, %[[RESCALE]]
// CHECK:               arith.mulf %[[WEIGHT]]
// CHECK:               memref.store %{{.*}}, %[[OUT]]
// CHECK:             scf.yield %[[HIGH]]
// CHECK:           scf.for
// CHECK:             arith.divf %{{.*}}, %[[LOOP]]#1
// CHECK-NOT:     edge.paged_attention
func.func @main(%ctx: memref<?xi8>, %q: memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>,
                %k: memref<1x2x?x16xf32>, %v: memref<1x2x?x16xf32>, %out: memref<1x4x?x16xf32>) {
  edge.paged_attention layer 3 scale 0.25 %ctx, %q, %k, %v into %out
      : memref<?xi8>, memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>, memref<1x2x?x16xf32>,
        memref<1x2x?x16xf32>, memref<1x4x?x16xf32>
  return
}
