// RUN: edge-opt --split-input-file --verify-diagnostics %s | FileCheck %s

// The module's edge.model: inputs and outputs with dtypes and dims (negative: a symbol),
// one expression per symbol (empty: bound by an input), and a causal LM's geometry.
// CHECK: module attributes {edge.model = {{.*}}symbols = ["batch", "total"]
module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f32", dims = array<i64: -1, 4>}],
    outputs = [{name = "y", dtype = "f32", dims = array<i64: -2, 4>}],
    symbols = ["batch", "total"],
    symbol_exprs = [array<i64>, array<i64: 1, 0, 1>]}} {
}

// -----

// expected-error @+1 {{edge.model: a dim of 'x' names symbol 3 of 1}}
module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f32", dims = array<i64: -4>}], outputs = [],
    symbols = ["batch"], symbol_exprs = [array<i64>]}} {
}

// -----

// expected-error @+1 {{edge.model: 'x' has unknown dtype 'f8'}}
module attributes {edge.model = {
    inputs = [{name = "x", dtype = "f8", dims = array<i64: 2>}], outputs = [],
    symbols = [], symbol_exprs = []}} {
}

// -----

// expected-error @+1 {{edge.model: a symbol expression names symbol 5 of 2}}
module attributes {edge.model = {
    inputs = [], outputs = [], symbols = ["a", "b"], symbol_exprs = [array<i64>, array<i64: 0, 5, 1>]}} {
}

// -----

// expected-error @+1 {{edge.model: causal_lm names an input or output the model does not have}}
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>}],
    symbols = ["tokens"], symbol_exprs = [array<i64>],
    causal_lm = {num_layers = 1 : i64, num_kv_heads = 1 : i64, head_dim = 4 : i64, vocab_size = 8 : i64,
                 input_ids = 0 : i64, position_ids = 1 : i64, logits = 0 : i64}}} {
}

// -----

// expected-error @+1 {{edge.model: causal_lm max_positions -4 is out of range}}
module attributes {edge.model = {
    inputs = [{name = "input_ids", dtype = "i64", dims = array<i64: 1, -1>},
              {name = "position_ids", dtype = "i64", dims = array<i64: 1, -1>}],
    outputs = [{name = "logits", dtype = "f32", dims = array<i64: 1, -1, 8>}],
    symbols = ["tokens"], symbol_exprs = [array<i64>],
    causal_lm = {num_layers = 1 : i64, num_kv_heads = 1 : i64, head_dim = 4 : i64, vocab_size = 8 : i64,
                 input_ids = 0 : i64, position_ids = 1 : i64, logits = 0 : i64, max_positions = -4 : i64}}} {
}

// -----

// expected-error @+1 {{edge.model must be a dictionary on the module}}
func.func @elsewhere() attributes {edge.model = {}} {
  return
}
