// RUN: edge-opt --split-input-file --verify-diagnostics --edge-cpu-select-strategy %s | FileCheck %s

// AArch64 NEON: 4 f32 lanes, a 4 x 16 accumulator tile, 64-wide rows.
// CHECK: module attributes {edge.cpu_strategy = {kc = 1 : i64, max_whole_inner_dim = 256 : i64, mr = 4 : i64, nr = 16 : i64, row_nr = 64 : i64, vector_lanes_f32 = 4 : i64}, edge.target = "aarch64"}
module attributes {edge.target = "aarch64"} {
}

// -----

// x86-64 baseline (x86-64-v3, AVX2): 8 lanes, 4 x 16.
// CHECK: module attributes {edge.cpu_strategy = {kc = 1 : i64, max_whole_inner_dim = 256 : i64, mr = 4 : i64, nr = 16 : i64, row_nr = 64 : i64, vector_lanes_f32 = 8 : i64}, edge.target = "x86_64"}
module attributes {edge.target = "x86_64"} {
}

// -----

// AVX-512 (x86-64-v4): 16 lanes, 4 x 32, 128-wide rows.
// CHECK: edge.cpu_strategy = {kc = 1 : i64, max_whole_inner_dim = 256 : i64, mr = 4 : i64, nr = 32 : i64, row_nr = 128 : i64, vector_lanes_f32 = 16 : i64}
module attributes {edge.target = "x86_64", edge.cpu = "x86-64-v4"} {
}

// -----

// ARMv7 NEON: 16 q registers, 4 lanes, a 4 x 8 tile, 32-wide rows.
// CHECK: module attributes {edge.cpu_strategy = {kc = 1 : i64, max_whole_inner_dim = 256 : i64, mr = 4 : i64, nr = 8 : i64, row_nr = 32 : i64, vector_lanes_f32 = 4 : i64}, edge.target = "armv7"}
module attributes {edge.target = "armv7"} {
}

// -----

// RV64GC (V optional): the same 4 x 8 tile.
// CHECK: module attributes {edge.cpu_strategy = {kc = 1 : i64, max_whole_inner_dim = 256 : i64, mr = 4 : i64, nr = 8 : i64, row_nr = 32 : i64, vector_lanes_f32 = 4 : i64}, edge.target = "riscv64"}
module attributes {edge.target = "riscv64"} {
}

// -----

// A strategy set by hand stays.
// CHECK: edge.cpu_strategy = {kc = 2 : i64, max_whole_inner_dim = 8 : i64, mr = 2 : i64, nr = 4 : i64, row_nr = 8 : i64, vector_lanes_f32 = 4 : i64}
module attributes {edge.target = "aarch64", edge.cpu_strategy = {kc = 2 : i64, max_whole_inner_dim = 8 : i64, mr = 2 : i64, nr = 4 : i64, row_nr = 8 : i64, vector_lanes_f32 = 4 : i64}} {
}

// -----

// expected-error @+1 {{unknown edge.target 'mips64'}}
module attributes {edge.target = "mips64"} {
}
