// RUN: edge-opt --verify-diagnostics --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize))' %s

// The tiling passes take their tiles from the IR only: without edge-cpu-select-strategy
// (or a strategy set by hand) there is nothing to tile by.
// expected-error @+1 {{no edge.cpu_strategy on the module (edge-cpu-select-strategy records it)}}
module attributes {edge.target = "aarch64"} {
  func.func @f(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
    return %a : tensor<4x8xf32>
  }
}
