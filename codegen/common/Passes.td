//===- Passes.td - code generation passes shared by the CPU and SPIR-V targets -*- tablegen -*-===//
//
// One pass per file, named alike: def BindWeightsPass <-> flag edge-bind-weights <->
// codegen/common/BindWeights.cpp <-> tests/lit/codegen/common/bind-weights.mlir.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_COMMON_PASSES_TD
#define EDGE_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def BindWeightsPass : Pass<"edge-bind-weights", "mlir::ModuleOp"> {
  let summary = "Turn edge.weight ops into views of a weights-buffer argument";
  let description = [{
    Every public function (and any other that uses `edge.weight`) gets a leading `memref<?xi8>` argument marked
    `edge.weights` (the mmap of NAME.weights, passed by the runtime), and each weight
    becomes a typed view of it at the packer's offset, wrapped as a read-only tensor. After
    this pass no tensor data of the model is referenced by name.

    Before:
    ```mlir
    func.func @main(%x: tensor<?x4xf32>) -> tensor<?x8xf32> {
      %w = edge.weight @fc offset 64 : tensor<4x8xf32>
      ...
    ```
    After:
    ```mlir
    func.func @main(%weights: memref<?xi8> {edge.weights}, %x: tensor<?x4xf32>) -> ... {
      %c64 = arith.constant 64 : index
      %v = memref.view %weights[%c64][] : memref<?xi8> to memref<4x8xf32>
      %w = bufferization.to_tensor %v restrict : memref<4x8xf32> to tensor<4x8xf32>
      ...
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
                           "mlir::bufferization::BufferizationDialect"];
}

def OutputsToDestinationsPass : Pass<"edge-outputs-to-destinations", "mlir::ModuleOp"> {
  let summary = "Make the caller's output buffers the destinations of the entry results";
  let description = [{
    The runtime passes one buffer per graph output, already sized from the symbolic dims.
    For every public function, each tensor result becomes a trailing `edge.output`
    argument and the returned value is materialized in it, so that bufferization writes
    results straight into the caller's buffers and the results disappear from the
    signature (`drop-equivalent-buffer-results`).

    Before:
    ```mlir
    func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
      return %y : tensor<?x4xf32>
    }
    ```
    After:
    ```mlir
    func.func @main(%x: tensor<?x4xf32>, %out: tensor<?x4xf32> {edge.output}) -> tensor<?x4xf32> {
      %0 = bufferization.materialize_in_destination %y in %out : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
      return %0 : tensor<?x4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def MemoryPlanPass : Pass<"edge-memory-plan", "mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer in one arena, sharing space by liveness";
  let description = [{
    After bufferization, replaces the function's top-level `memref.alloc`s by views into a
    single arena allocated once on entry and freed before return. Buffers whose live ranges
    do not overlap share a slot; a slot is as large as its largest buffer, computed at run
    time from the dynamic dims (the size computations are hoisted to the entry). Live
    ranges follow aliases (subviews, reshapes, casts) and uses in nested regions.
    Allocations whose size is not computable on entry keep their own buffer and get a
    `memref.dealloc` after their last use, so nothing leaks.

    ```mlir
    %a = memref.alloc(%n) : memref<?x64xf32>   // dead after op 3
    %b = memref.alloc(%n) : memref<?x64xf32>   // born after op 3
    ```
    becomes
    ```mlir
    %arena = memref.alloc(%size) {alignment = 64} : memref<?xi8>
    %a = memref.view %arena[%c0][%n] : memref<?xi8> to memref<?x64xf32>
    %b = memref.view %arena[%c0][%n] : memref<?xi8> to memref<?x64xf32>
    ...
    memref.dealloc %arena : memref<?xi8>
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def StridedCopiesToLinalgPass : Pass<"edge-strided-copies-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy of strided buffers into linalg.copy";
  let description = [{
    MLIR lowers a `memref.copy` between non-contiguous buffers to a call into its C
    runner library (`memrefCopy`), which generated code must not depend on. Such copies
    become `linalg.copy`, i.e. plain loops; contiguous copies stay `memref.copy` and
    lower to `memcpy`.

    ```mlir
    memref.copy %a, %b : memref<4x16xf32, strided<[64, 1], offset: ?>> to memref<4x16xf32, strided<[32, 1], offset: ?>>
    ```
    becomes
    ```mlir
    linalg.copy ins(%a : memref<4x16xf32, strided<[64, 1], offset: ?>>) outs(%b : memref<4x16xf32, strided<[32, 1], offset: ?>>)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def BindRuntimeImportsPass : Pass<"edge-bind-runtime-imports", "mlir::ModuleOp"> {
  let summary = "Call the runtime through the run's import table, not by symbol";
  let description = [{
    On the LLVM dialect: appends a `!llvm.ptr` argument, the run's import table
    (edge_model_imports_t, edge/model_abi.h), to the entry and its C wrapper, and turns
    every call of the allocator (malloc, aligned_alloc, free, or finalize-memref-to-llvm's
    generic functions) and of a runtime function (paged attention, the Vulkan dispatch)
    into a load of its callback from the table and an indirect call with the table's
    context first; malloc-like calls get alignment 0. Functions that make such calls (the
    C-interface wrappers MLIR builds around `llvm.emit_c_interface` declarations) and
    their callers get the table too, passed on at every call. The declarations go. A
    function that calls the runtime but is not reached from the entry by direct calls is
    an error.
  }];
  let options = [
    Option<"entryName", "entry", "std::string", /*default=*/"\"main\"", "the entry function">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def OutlineRepeatedLayersPass : Pass<"edge-outline-repeated-layers", "mlir::ModuleOp"> {
  let summary = "Compile identical layers once: one function, called per layer";
  let description = [{
    Finds the longest run of identical blocks of top-level ops in the entry (same ops,
    attributes and types, the same nested regions; different values read, such as each
    layer's weight views and arena slices) and replaces each block with a call of one
    private function made from the first block, repeatedly while runs remain. What a block
    reads from outside becomes an argument, except constants equal in every block (cloned
    into the function); what later ops read of it becomes a result. The block boundary is
    placed where the fewest values cross it (for a decoder: the residual stream and the
    shared inputs). A buffer a block allocates and later ops read is allocated by the
    caller and passed in (a block whose other buffers escape is left alone). Runs on
    buffers, before the memory plan and before loops are lowered; the calls execute the
    same ops in the same order, so numerics are unchanged.

    Before (two layers):
    ```mlir
    %h1 = ... ops reading %x, %w0 ...
    %h2 = ... the same ops reading %h1, %w1 ...
    ```
    After:
    ```mlir
    %h1 = call @main_layer0(%x, %w0)
    %h2 = call @main_layer0(%h1, %w1)
    func.func private @main_layer0(%x: ..., %w: ...) -> ... { ... }
    ```
  }];
  let options = [
    Option<"entryName", "entry", "std::string", /*default=*/"\"main\"", "the entry function">,
    Option<"minimumOps", "minimum-ops", "unsigned", /*default=*/"16",
           "the fewest top-level ops a repeated block must have to be outlined">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def LayOutWeightsPass : Pass<"edge-lay-out-weights", "mlir::ModuleOp"> {
  let summary = "Place every weight in NAME.weights as its stored type says";
  let description = [{
    After the target's weight layout (packing, quantization): the distinct weights, in the
    order of their offsets so far (the importer's), are placed one after another at
    64-byte aligned offsets, each the bytes its stored type holds (bools one byte each).
    Every edge.weight op of a name gets its offset; the module gets `edge.weights_size`,
    the data section's size. Ops of one name with different types are an error.
  }];
}

def ApproximateMathPass : Pass<"edge-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace transcendental math ops by vectorizable polynomial approximations";
  let description = [{
    `math.erf`, `math.tanh`, `math.exp` and friends on f32 (scalars and vectors) become
    polynomial approximations from MLIR's math dialect, so they vectorize and need no libm
    call on the device. Errors stay below 1e-6 absolute on the inputs the e2e tests use.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect"];
}

#endif // EDGE_CODEGEN_COMMON_PASSES_TD
