// RUN: edge-opt --split-input-file --edge-memory-plan %s | FileCheck %s

// Three buffers in a chain: %a and %c are never live together and share slot 0, %b gets
// slot 1; the 16-float buffer is born after %b dies and reuses slot 1. Slot sizes are
// computed on entry from the dynamic dim.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[N:.*]] = memref.dim %arg0, %c0
// CHECK:         %[[BYTES:.*]] = arith.muli %[[N]], %c256
// CHECK:         %[[ARENA:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?xi8>
// CHECK:         %[[A:.*]] = memref.view %[[ARENA]][%[[SLOT0:[a-z0-9_]+]]][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK:         memref.copy %arg0, %[[A]]
// CHECK:         %[[B:.*]] = memref.view %[[ARENA]][%[[SLOT1:[a-z0-9_]+]]][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK:         memref.copy %[[A]], %[[B]]
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]][%[[SLOT0]]][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK:         memref.copy %[[B]], %[[C]]
// CHECK:         memref.view %[[ARENA]][%[[SLOT1]]][] : memref<?xi8> to memref<16xf32>
// CHECK:         memref.dealloc %[[ARENA]] : memref<?xi8>
// CHECK-NEXT:    return
// CHECK-NOT:     memref.alloc(
func.func @chain(%x: memref<?x64xf32>, %out: memref<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x64xf32>
  %a = memref.alloc(%n) : memref<?x64xf32>
  memref.copy %x, %a : memref<?x64xf32> to memref<?x64xf32>
  %b = memref.alloc(%n) : memref<?x64xf32>
  memref.copy %a, %b : memref<?x64xf32> to memref<?x64xf32>
  %c = memref.alloc(%n) : memref<?x64xf32>
  memref.copy %b, %c : memref<?x64xf32> to memref<?x64xf32>
  %s = memref.alloc() : memref<16xf32>
  memref.copy %c, %out : memref<?x64xf32> to memref<?x64xf32>
  return
}

// -----

// A buffer allocated inside a loop cannot live in the arena: it is freed after its last
// use, so nothing leaks.
// CHECK-LABEL: func.func @in_loop
// CHECK:         scf.for
// CHECK:           %[[T:.*]] = memref.alloc() : memref<4xf32>
// CHECK:           memref.copy %{{.*}}, %[[T]]
// CHECK-NEXT:      memref.dealloc %[[T]]
func.func @in_loop(%x: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<4xf32>
    memref.copy %x, %t : memref<4xf32> to memref<4xf32>
  }
  return
}

// -----

// Buffers that escape through return belong to the caller and are left alone.
// CHECK-LABEL: func.func @escapes
// CHECK:         %[[R:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         return %[[R]]
func.func @escapes() -> memref<4xf32> {
  %r = memref.alloc() : memref<4xf32>
  return %r : memref<4xf32>
}

// -----

// A buffer yielded out of a loop body escapes the iteration: no dealloc after the yield.
// CHECK-LABEL: func.func @yielded
// CHECK:         scf.for
// CHECK:           %[[T:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT:       memref.dealloc
// CHECK:           scf.yield %[[T]]
func.func @yielded(%x: memref<4xf32>, %n: index) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> (memref<4xf32>) {
    %t = memref.alloc() : memref<4xf32>
    memref.copy %acc, %t : memref<4xf32> to memref<4xf32>
    scf.yield %t : memref<4xf32>
  }
  return %r : memref<4xf32>
}

// -----

// Deallocations already there (a lowering's scratch buffers): a planned buffer's goes,
// since the arena is freed at the return; an unplanned buffer keeps its own and gets no
// second one.
// CHECK-LABEL: func.func @existing_deallocs
// CHECK:         %[[ARENA:.*]] = memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?xi8>
// CHECK:         memref.view %[[ARENA]]
// CHECK-NOT:     memref.dealloc
// CHECK:         %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         memref.dealloc %[[S]] : memref<?xf32>
// CHECK-NOT:     memref.dealloc %[[S]]
// CHECK:         memref.dealloc %[[ARENA]] : memref<?xi8>
// CHECK-NEXT:    return
func.func @existing_deallocs(%x: memref<4xf32>, %sizes: memref<1xindex>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %t = memref.alloc() : memref<4xf32>
  memref.copy %x, %t : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  %n = memref.load %sizes[%c0] : memref<1xindex>
  %s = memref.alloc(%n) : memref<?xf32>
  %v = memref.subview %s[0] [4] [1] : memref<?xf32> to memref<4xf32, strided<[1]>>
  memref.copy %v, %out : memref<4xf32, strided<[1]>> to memref<4xf32>
  memref.dealloc %s : memref<?xf32>
  return
}
