// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK: edge.paged_attention layer 1 scale 2.500000e-01 %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} into %{{.*}} : memref<?xi8>, tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
// CHECK: edge.paged_attention layer 0 scale 1.000000e+00 %{{.*}} : memref<?xi8>, memref<1x4x?x16xf32>, memref<1x2x?x16xf32>, memref<1x2x?x16xf32>, memref<1x4x?x16xf32>{{$}}
func.func @roundtrip(%ctx: memref<?xi8>, %q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>,
                     %init: tensor<1x4x?x16xf32>, %mq: memref<1x4x?x16xf32>, %mk: memref<1x2x?x16xf32>,
                     %mv: memref<1x2x?x16xf32>, %mo: memref<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = edge.paged_attention layer 1 scale 0.25 %ctx, %q, %k, %v into %init
      : memref<?xi8>, tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x4x?x16xf32>
      -> tensor<1x4x?x16xf32>
  edge.paged_attention layer 0 scale 1.0 %ctx, %mq, %mk, %mv into %mo
      : memref<?xi8>, memref<1x4x?x16xf32>, memref<1x2x?x16xf32>, memref<1x2x?x16xf32>, memref<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

func.func @heads(%ctx: memref<?xi8>, %q: tensor<1x3x?x16xf32>, %k: tensor<1x2x?x16xf32>, %init: tensor<1x3x?x16xf32>) {
  // expected-error @+1 {{query heads (3) must be a static multiple of KV heads (2)}}
  %o = edge.paged_attention layer 0 scale 1.0 %ctx, %q, %k, %k into %init
      : memref<?xi8>, tensor<1x3x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x3x?x16xf32>
      -> tensor<1x3x?x16xf32>
  return
}

// -----

func.func @mixed(%ctx: memref<?xi8>, %q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %init: memref<1x4x?x16xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  edge.paged_attention layer 0 scale 1.0 %ctx, %q, %k, %k into %init
      : memref<?xi8>, tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, memref<1x4x?x16xf32>
  return
}
