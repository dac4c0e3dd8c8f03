//===- Passes.td - code generation passes of the Vulkan target (SPIR-V) -*- tablegen -*-===//
//
// One pass per file, named alike: def ShapeBuffersToViewsPass <-> flag edge-shape-buffers-to-views <->
// codegen/spirv/ShapeBuffersToViews.cpp <-> tests/lit/codegen/spirv/shape-buffers-to-views.mlir.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_SPIRV_PASSES_TD
#define EDGE_CODEGEN_SPIRV_PASSES_TD

include "mlir/Pass/PassBase.td"

def ShapeBuffersToViewsPass : Pass<"edge-shape-buffers-to-views", "mlir::func::FuncOp"> {
  let summary = "Turn memref.reshape by a buffer of stored sizes into memref.reinterpret_cast";
  let description = [{
    A `tensor.reshape` whose shape is `tensor.from_elements` of scalars bufferizes to a
    small buffer the sizes are stored into and a `memref.reshape` that reads it. On a GPU
    target every buffer is device memory the host code cannot read; this pass gives the
    reshape its sizes directly: a `memref.reinterpret_cast` of the (contiguous) source
    with the stored sizes and their suffix products as strides. Shape buffers nothing
    else reads are removed.

    ```mlir
    %s = memref.alloc() : memref<2xindex>
    memref.store %c1, %s[%c0] : memref<2xindex>
    memref.store %n, %s[%c1] : memref<2xindex>
    %r = memref.reshape %x(%s) : (memref<?xi64>, memref<2xindex>) -> memref<1x?xi64>
    ```
    becomes
    ```mlir
    %r = memref.reinterpret_cast %x to offset: [0], sizes: [1, %n], strides: [%n, 1] : memref<?xi64> to memref<1x?xi64>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def QuantizedOpsToLoopsPass : Pass<"edge-quantized-ops-to-loops", "mlir::func::FuncOp"> {
  let summary = "Turn buffer-form quantized ops into loops that dequantize as they read (GPU targets)";
  let description = [{
    For targets without edgec's CPU ukernels (Vulkan): after bufferization,
    `edge.quantized_matmul` becomes two parallel loops. The first quantizes the input rows
    exactly as the CPU ukernels do (per row and block: scale max |x| / 127, values
    rounded half away from zero, clamped to +-127; into i32 buffers), so both targets
    compute the same integer dot products and generate the same tokens. The second runs
    over the output elements, each a loop over the weight row's blocks: the integer dot
    product of the quantized inputs with the int8 or 4-bit values read straight from the
    weight bytes, times input scale * the block's f16 scale (q4_1: plus input scale *
    f16 minimum * the sum of the quantized inputs). `edge.quantized_embedding` becomes a
    parallel loop over the output that dequantizes the value of the indexed row
    (negative ids from the end, ids out of range 0). f16 is decoded with integer
    operations, so shaders need no 16-bit float support.

    ```mlir
    edge.quantized_matmul "q8_0" block 32 %x, %w into %y : memref<?x64xf32>, memref<272xi8>, memref<?x4xf32>
    ```
    becomes
    ```mlir
    scf.parallel (%m, %j) = (%c0, %c0) to (%rows, %c2) step (%c1, %c1) {
      // qa[m, 32 j + t] = round(x[m, 32 j + t] * 127 / max_t |x|), scales[m, j] = max / 127
    }
    scf.parallel (%m, %n) = (%c0, %c0) to (%rows, %c4) step (%c1, %c1) {
      %acc = scf.for %j = %c0 to %c2 step %c1 iter_args(%s = %zero) -> (f32) {
        // w = f16 at byte (n * 2 + j) * 34; dot = sum_t qa[m, 32 j + t] * int8 at + 2 + t;
        // s + scales[m, j] * w * dot
      }
      memref.store %acc, %y[%m, %n] : memref<?x4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def PromoteAccumulatorsPass : Pass<"edge-promote-accumulators", "mlir::func::FuncOp"> {
  let summary = "Carry a loop's load-modify-store of one element in a register instead";
  let description = [{
    After loops are made for a GPU target: where an `scf.for` loads one element at
    loop-invariant indices, and stores into it the loop's only write, with nothing else
    in the loop reading that buffer (a reduction into its output element), the element
    becomes a value carried by the loop: loaded once before it, stored once after. Index
    arithmetic the body recomputes is hoisted and merged first, so such indices are seen
    to be invariant; inner loops go first, so an accumulator can move out of a whole nest.

    ```mlir
    scf.for %k = %c0 to %c64 step %c1 {
      %a = memref.load %A[%i, %k] : memref<?x64xf32>
      %c = memref.load %C[%i, %j] : memref<?x8xf32>
      %s = arith.addf %c, %a : f32
      memref.store %s, %C[%i, %j] : memref<?x8xf32>
    }
    ```
    becomes
    ```mlir
    %c0v = memref.load %C[%i, %j] : memref<?x8xf32>
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%c = %c0v) -> (f32) {
      %a = memref.load %A[%i, %k] : memref<?x64xf32>
      %s = arith.addf %c, %a : f32
      scf.yield %s : f32
    }
    memref.store %r, %C[%i, %j] : memref<?x8xf32>
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect"];
}

def PagedAttentionToLoopsPass : Pass<"edge-paged-attention-to-loops", "mlir::func::FuncOp"> {
  let summary = "Turn buffer-form edge.paged_attention into loops over the KV arena (GPU targets)";
  let description = [{
    For targets without the runtime's attention kernel (Vulkan): the attention context
    is the KV arena, a buffer of 32-bit words laid out as `edge/model_abi.h` describes
    (header, per-token records: page table, position, window start; page tables; pages).
    After bufferization each `edge.paged_attention` becomes

    1. a parallel loop over (token, KV head, key or value) storing the step's rows into
       their pages in the pool's format, which the header names at run time: f32; f16
       (rounded to nearest even, two a word); int8 (an f32 scale max |x| / 127, values
       rounded half away from zero, four a word), as the CPU attention kernel stores
       them; then
    2. a parallel loop over (token, query head), each iteration one pass over the token's
       positions [window start, position], reading rows in the pool's format: the
       score q . k * scale, a running maximum
       and sum of exp(score - maximum), and the output row rescaled and accumulated in
       place (online softmax: no scratch buffer), divided by the sum at the end.

    ```mlir
    edge.paged_attention layer 0 scale 2.500000e-01 %ctx, %q, %k, %v into %out
        : memref<?xi8>, memref<1x4x?x16xf32>, memref<1x2x?x16xf32>, memref<1x2x?x16xf32>, memref<1x4x?x16xf32>
    ```
    becomes `memref.view %ctx` as `memref<?xi32>` and the two `scf.parallel` nests.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
                           "mlir::math::MathDialect"];
}

def MapToGpuPass : Pass<"edge-map-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Turn the function's buffer operations into loops mapped to workgroups and threads";
  let description = [{
    After bufferization and memory planning, for a GPU target: every `memref.copy`
    becomes `linalg.copy`, every linalg op becomes loops (`scf.parallel` over its parallel
    dims, `scf.for` over its reductions), and every top-level parallel loop nest is
    tiled and mapped for `convert-parallel-loops-to-gpu`: its innermost dim to x (adjacent
    threads touch adjacent elements), the next two to y and z, each tiled by a workgroup
    extent (at most 128 threads per workgroup, fewer when a static extent is small);
    outer dims beyond three run sequentially in each thread. Tiles have fixed bounds and
    a bounds check inside, so workgroup sizes are static and grid sizes follow the
    dynamic dims. Top-level loops without parallel dims (full reductions) and other
    top-level buffer accesses run as a single-thread workgroup.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c128) step (%c1, %c1) { ... }
    ```
    becomes a loop over workgroups (%n by 1 rows, 128 by 64 columns) mapped to
    block_y/block_x holding a loop over 1 x 64 threads mapped to thread_y/thread_x.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::linalg::LinalgDialect", "mlir::gpu::GPUDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def LinearizeKernelMemrefsPass : Pass<"edge-linearize-kernel-memrefs", "mlir::func::FuncOp"> {
  let summary = "Give gpu.launch bodies flat buffers and explicit index arithmetic";
  let description = [{
    SPIR-V storage buffers are flat arrays: a kernel cannot take a buffer with dynamic
    sizes, strides or offset. For every buffer a `gpu.launch` body reads or writes, the
    host side extracts its strided metadata and passes the base buffer as a flat
    `memref<?xT>`; inside the body, loads and stores address it at
    `offset + sum(index_i * stride_i)` and `memref.dim` reads the passed size. Offsets,
    sizes and strides that are static become constants in the kernel; constants used in
    a body are cloned into it. Any other use of a buffer in a body is an error naming it.

    ```mlir
    gpu.launch ... { %v = memref.load %a[%i, %j] : memref<?x?xf32> }
    ```
    becomes
    ```mlir
    %base, %off, %sizes:2, %strides:2 = memref.extract_strided_metadata %a
    %flat = memref.reinterpret_cast %base to offset: [0], sizes: [%extent], strides: [1]
    gpu.launch ... { %v = memref.load %flat[%off + %i * %strides#0 + %j] : memref<?xf32> }
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect", "mlir::gpu::GPUDialect"];
}

def VulkanDispatchPass : Pass<"edge-vulkan-dispatch", "mlir::ModuleOp"> {
  let summary = "Replace gpu.launch_func by runtime dispatch calls and fix each kernel's Vulkan interface";
  let description = [{
    After `gpu-kernel-outlining` and `edge-linearize-kernel-memrefs`, kernel i (in launch
    order) gets its Vulkan interface, recorded on the gpu.func for the dispatch manifest:

    - its flat buffer arguments are storage buffers 0..B-1 of descriptor set 0
      (`edge.binding_bytes`: the element size of each);
    - one index argument per buffer is appended: the element offset at which the runtime
      bound that buffer (a descriptor's offset must be aligned, a tensor's need not be),
      added to every index into it;
    - the push constants are, in order, those B binding offsets and the kernel's scalar
      arguments, 32 bits each (`edge.push_constants`);
    - the workgroup size becomes its `spirv.entry_point_abi`, and the gpu.module gets the
      target environment: Vulkan 1.1 / SPIR-V 1.3 with Shader and Int64.

    The launch becomes `func.call @edge_vk_dispatch(kernel, grid x, y, z, addresses,
    scalars)`: the address of each buffer argument and each scalar widened to 64 bits,
    in stack arrays (the runtime translates addresses to its buffers). The host code
    must not read or write buffers itself; a load or store left outside kernels is an
    error naming it.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect", "mlir::spirv::SPIRVDialect"];
}

def SpirvPushConstantsPass : Pass<"edge-spirv-push-constants", "mlir::spirv::ModuleOp"> {
  let summary = "Move a kernel's scalar arguments from storage buffers into one push-constant block";
  let description = [{
    MLIR's SPIR-V lowering passes each scalar kernel argument as a one-member storage
    buffer. After `spirv-lower-abi-attrs`, this pass replaces them by one `PushConstant`
    block whose members (32-bit, 4 bytes apart) are the scalars in binding order, so a
    dispatch needs no buffer per scalar and the runtime sets them with
    vkCmdPushConstants. Fails if the block exceeds 128 bytes, the size every Vulkan
    device supports.

    ```mlir
    spirv.GlobalVariable @k_arg_2 bind(0, 2) : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
    ```
    becomes member 0 of
    ```mlir
    spirv.GlobalVariable @k_push_constants : !spirv.ptr<!spirv.struct<(i32 [0], ...)>, PushConstant>
    ```
  }];
  let dependentDialects = ["mlir::spirv::SPIRVDialect"];
}

#endif // EDGE_CODEGEN_SPIRV_PASSES_TD
