// RUN: edge-opt --edge-promote-accumulators %s | FileCheck %s

// A matmul's reduction loop: the output element is loaded before the loop, carried, and
// stored after it; the index arithmetic the body recomputed is hoisted and merged.
// CHECK-LABEL: func.func @matmul
// CHECK:         scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK:           %[[I2:.*]] = affine.apply #map(%[[I]])
// CHECK:           %[[J2:.*]] = affine.apply #map(%[[J]])
// CHECK-NOT:       affine.apply
// CHECK:           %[[INIT:.*]] = memref.load %arg2[%[[I2]], %[[J2]]] : memref<?x8xf32>
// CHECK:           %[[SUM:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK:             memref.load %arg0
// CHECK:             memref.load %arg1
// CHECK-NOT:         memref.load %arg2
// CHECK:             %[[NEXT:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
// CHECK-NOT:         memref.store
// CHECK:             scf.yield %[[NEXT]] : f32
// CHECK:           memref.store %[[SUM]], %arg2[%[[I2]], %[[J2]]] : memref<?x8xf32>
#map = affine_map<(d0) -> (d0)>
func.func @matmul(%a: memref<?x64xf32>, %b: memref<64x8xf32>, %c: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%m, %c8) step (%c1, %c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %x = memref.load %a[%i, %k] : memref<?x64xf32>
      %y = memref.load %b[%k, %j] : memref<64x8xf32>
      %i2 = affine.apply #map(%i)
      %j2 = affine.apply #map(%j)
      %acc = memref.load %c[%i2, %j2] : memref<?x8xf32>
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      %i3 = affine.apply #map(%i)
      %j3 = affine.apply #map(%j)
      memref.store %s, %c[%i3, %j3] : memref<?x8xf32>
    }
    scf.reduce
  }
  return
}

// Left alone: the loop also reads the buffer elsewhere (a running prefix), or writes a
// second buffer.
// CHECK-LABEL: func.func @prefix
// CHECK:         scf.for
// CHECK:           memref.load %arg0[%{{.*}}]
// CHECK:           memref.store %{{.*}}, %arg0[%c0]
func.func @prefix(%x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %k = %c1 to %c16 step %c1 {
    %v = memref.load %x[%k] : memref<16xf32>
    %acc = memref.load %x[%c0] : memref<16xf32>
    %s = arith.addf %acc, %v : f32
    memref.store %s, %x[%c0] : memref<16xf32>
  }
  return
}
// CHECK-LABEL: func.func @two_outputs
// CHECK:         scf.for
// CHECK:           memref.store
// CHECK:           memref.store
func.func @two_outputs(%x: memref<16xf32>, %y: memref<1xf32>, %z: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %k = %c0 to %c16 step %c1 {
    %v = memref.load %x[%k] : memref<16xf32>
    %acc = memref.load %y[%c0] : memref<1xf32>
    %s = arith.addf %acc, %v : f32
    memref.store %s, %y[%c0] : memref<1xf32>
    memref.store %v, %z[%k] : memref<16xf32>
  }
  return
}
