// RUN: edge-opt --split-input-file --verify-diagnostics --edge-name-entry-values %s | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: %arg0: tensor<?x4xf32> {edge.name = "x"}
// CHECK-SAME: -> (tensor<?x4xf32> {edge.name = "y"})
module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f32", dims = array<i64: -1, 4>}],
    outputs = [{name = "y", dtype = "f32", dims = array<i64: -1, 4>}],
    symbols = ["batch"], symbol_exprs = [array<i64>]}} {
  func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}

// -----

module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f32", dims = array<i64: 4>}, {name = "z", dtype = "f32", dims = array<i64: 4>}],
    outputs = [], symbols = [], symbol_exprs = []}} {
  // expected-error @+1 {{the entry has 1 arguments and 0 results; edge.model names 2 inputs and 0 outputs}}
  func.func @main(%x: tensor<4xf32>) {
    return
  }
}
