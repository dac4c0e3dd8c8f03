// RUN: edge-opt --edge-approximate-math %s | FileCheck %s
// RUN: edge-opt --edge-approximate-math %s | FileCheck %s --check-prefix=GONE

// erf, tanh and exp become polynomials (fma chains) on scalars and vectors alike; sqrt,
// which has an instruction, stays. GONE checks the whole output (a CHECK-NOT between two
// matches would only cover the text before the first fma).
// GONE-NOT:      math.erf
// GONE-NOT:      math.tanh
// GONE-NOT:      math.exp
// CHECK-LABEL: func.func @transcendentals
// CHECK:         math.fma
// CHECK:         math.sqrt
func.func @transcendentals(%v: vector<8xf32>, %s: f32) -> (vector<8xf32>, f32, f32, f32) {
  %0 = math.erf %v : vector<8xf32>
  %1 = math.tanh %s : f32
  %2 = math.exp %s : f32
  %3 = math.sqrt %s : f32
  return %0, %1, %2, %3 : vector<8xf32>, f32, f32, f32
}
