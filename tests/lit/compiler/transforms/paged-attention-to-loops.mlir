// RUN: edge-opt --edge-paged-attention-to-loops %s | FileCheck %s

// The context is the KV arena: viewed as 32-bit words (its size is in bytes). The first
// nest stores each (token, KV head, element) of the new keys and values into the f32 row
// of its page: header word 3 locates the token records (4 words each), word 1 is the
// page size in positions, words 0 and 2 the first page and the words per page; layer 3
// keys are plane 2 * 3 = 6, values plane 7.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[CTX:[a-z0-9]+]]: memref<?xi8>, %[[Q:[a-z0-9]+]]: memref<1x4x?x16xf32, strided<[?, 16, 64, 1], offset: ?>>,
// CHECK-SAME:    %[[K:[a-z0-9]+]]: memref<1x2x?x16xf32>, %[[V:[a-z0-9]+]]: memref<1x2x?x16xf32>, %[[OUT:[a-z0-9]+]]: memref<1x4x?x16xf32>)
// CHECK:         %[[BYTES:.*]] = memref.dim %[[CTX]], %c0
// CHECK:         %[[WORDS:.*]] = arith.divui %[[BYTES]], %c4
// CHECK:         %[[ARENA:.*]] = memref.view %[[CTX]][%{{.*}}][%[[WORDS]]] : memref<?xi8> to memref<?xi32>
// CHECK:         scf.parallel (%[[T:.*]], %[[G:.*]], %[[D:.*]]) =
// CHECK:           memref.load %[[ARENA]][%c3{{.*}}] : memref<?xi32>
// CHECK:           %[[KEY:.*]] = memref.load %[[K]][%{{.*}}, %[[G]], %[[T]], %[[D]]]
// CHECK:           arith.muli %c6, %{{.*}} : index
// CHECK:           %[[KBITS:.*]] = arith.bitcast %[[KEY]] : f32 to i32
// CHECK:           memref.store %[[KBITS]], %[[ARENA]][%{{.*}}] : memref<?xi32>
// CHECK:           %[[VALUE:.*]] = memref.load %[[V]][%{{.*}}, %[[G]], %[[T]], %[[D]]]
// CHECK:           arith.muli %c7, %{{.*}} : index
// CHECK:           %[[VBITS:.*]] = arith.bitcast %[[VALUE]] : f32 to i32
// CHECK:           memref.store %[[VBITS]], %[[ARENA]][%{{.*}}] : memref<?xi32>

// The second nest: one iteration per (token, query head), the query head's KV head is
// h / (heads / kv_heads); the output row is zeroed, then one loop over the positions from
// the window start to the token's own carries the running maximum and sum.
// CHECK:         scf.parallel (%[[T2:.*]], %[[H:.*]]) =
// CHECK:           arith.divui %[[H]], %{{.*}} : index
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %[[OUT]][%{{.*}}, %[[H]], %[[T2]], %{{.*}}]
// CHECK:           %[[LOOP:.*]]:2 = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[S:.*]] = %{{.*}}) -> (f32, f32)
// CHECK:             %[[SCORE:.*]] = scf.for {{.*}} -> (f32)
// CHECK:               arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:               arith.bitcast %{{.*}} : i32 to f32
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
