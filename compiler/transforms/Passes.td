//===- Passes.td - edgec transformation passes -------------*- tablegen -*-===//
//
// One pass per file, named alike: def BindWeightsPass <-> flag edge-bind-weights <->
// BindWeights.cpp <-> tests/lit/compiler/transforms/bind-weights.mlir.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_TRANSFORMS_PASSES_TD
#define EDGE_COMPILER_TRANSFORMS_PASSES_TD

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

def FuseElementwisePass : Pass<"edge-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops, never into contractions";
  let description = [{
    Runs MLIR's elementwise fusion (producer into consumer) where both ops are
    all-parallel and the producer has no other user: a bias add, the ops of a GELU and a
    residual add become one loop nest. Contractions and reductions are left whole so
    that edge-tile-and-vectorize still recognizes them (upstream's
    linalg-fuse-elementwise-ops would fold a Relu into the next matmul's operand).

    ```mlir
    %h = linalg.generic {iterator_types = ["parallel", "parallel"]} ins(%x, %b) ... { addf }
    %g = linalg.generic {iterator_types = ["parallel", "parallel"]} ins(%h) ... { erf }
    ```
    becomes one `linalg.generic` whose body does `addf` then `erf`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def PackWeightsPass : Pass<"edge-pack-weights", "mlir::func::FuncOp"> {
  let summary = "Store contraction weights in column panels the kernels stream";
  let description = [{
    A matmul reading a 2-D weight [K, N] (or [N, K] for Gemm's transB) walks it in
    K x nr column panels, nr being the target's register tile width; row-major storage
    makes each K step of a panel a new cache line on a new page. This pass re-lays such
    weights out as [N/nr, K, nr] (the packer writes that layout into NAME.weights, so the
    runtime never repacks) and rewrites the contraction over loops (..., n0, n1, ..., k)
    with the result expanded to [..., N/nr, nr]. Weights with N not a multiple of nr, or
    used by anything else, are left as they are.

    ```mlir
    %w = edge.weight @w offset 0 : tensor<64x32xf32>
    %r = linalg.generic {maps = [(m,n,k)->(m,k), (m,n,k)->(k,n), (m,n,k)->(m,n)]} ins(%x, %w) outs(%acc)
    ```
    becomes (nr = 16)
    ```mlir
    %w = edge.weight @w offset 0 {pack_n = 16 : i64} : tensor<2x64x16xf32>
    %a = tensor.expand_shape %acc [[0], [1, 2]] : tensor<?x32xf32> into tensor<?x2x16xf32>
    %r = linalg.generic {maps = [(m,n0,n1,k)->(m,k), (m,n0,n1,k)->(n0,k,n1), (m,n0,n1,k)->(m,n0,n1)]} ins(%x, %w) outs(%a)
    %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<?x2x16xf32> into tensor<?x32xf32>
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect", "mlir::linalg::LinalgDialect"];
}

def TileAndVectorizePass : Pass<"edge-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to register-sized tiles, peel remainders, vectorize";
  let description = [{
    Runs on linalg ops on tensors. Tile sizes come from the target's CPU configuration
    (codegen/cpu/*Config.cpp), picked by the module's `edge.target` attribute
    ("x86_64" or "aarch64"; x86_64 when absent) and `edge.cpu`:

    - contractions (matmul, batched, transposed operands; linalg.generic with a
      multiply-add body): batch dims by 1, M by `mr`, N by `nr`, K by `kc`, loops in the
      order N, M, K so the weight panel stays in cache and the mr x nr accumulator in
      registers. A dynamic M is split at its last multiple of `mr`; the remaining rows
      are tiled one at a time with a wider N tile (`rowNr`), the decode-time GEMV shape;
    - other ops: every dim by 1 except the innermost, kept whole when small and static,
      else tiled by a few vectors.

    Loops whose trip count may not be a multiple of the tile are peeled, so main loops
    see static tiles. What is still dynamic after that (peeled remainders, dynamic inner
    dims) is tiled by 1 in its dynamic dims. Every static linalg op is then vectorized:
    contractions as `vector.contract` over their own indexing maps (by way of
    `linalg.matmul`), reductions as `vector.multi_reduction`, the rest elementwise.
    Ops that gather by computed index stay scalar loops.

    ```mlir
    %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>) outs(%i : tensor<?x32xf32>)
    ```
    becomes an `scf.for` nest over M (peeled), N and K whose main body is
    ```mlir
    %acc = vector.transfer_read ... : tensor<4x16xf32>, vector<4x16xf32>
    %c = vector.contract {...} %va, %vb, %acc : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect", "mlir::tensor::TensorDialect"];
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

def PagedAttentionPass : Pass<"edge-paged-attention", "mlir::ModuleOp"> {
  let summary = "Rewrite a causal LM's attention over past_key_values into paged attention";
  let description = [{
    Recognizes, in an imported causal LM, each attention

        present_k = Concat(past_k, k_new, axis 2)     (a graph output)
        scores    = MatMul(q, Transpose(repeat_kv(present_k))) * scale + mask
        out       = MatMul(Softmax(scores), repeat_kv(Concat(past_v, v_new, axis 2)))

    where the mask is computed from shapes only (taken to be the causal mask, which the
    kernel applies; a window built into the mask would be lost), repeat_kv is the
    Reshape/Expand/Reshape that repeats KV heads for grouped-query attention, and scale is
    a product of scalar constants. Each becomes `edge.paged_attention` (layers numbered in
    program order) that stores k_new/v_new into the runtime's KV pages and attends over
    them: the present outputs and past inputs disappear, no cache is concatenated.

    The entry then takes the runtime's attention context first (`memref<?xi8>` marked
    `edge.attention_context`), and its tokens are the batch's tokens of all sequences
    flattened into [1, tokens]. Positions computed from the past length
    (Range(past, past + sequence)) become the `position_ids` input, added when the model
    has none. An `attention_mask` input is all ones in a paged step (nothing is padded):
    its uses read a ones tensor, and the input goes. Inputs and outputs are found by their `edge.name` attributes. The function
    gets `edge.causal_lm = {num_layers, num_kv_heads, head_dim}`.

    A model without past_key_values, or without an `input_ids` input, is left unchanged.
    One whose past inputs are still read after the rewrite (an attention the pattern does
    not cover) is an error naming the input.
  }];
  let dependentDialects = ["edge::EdgeDialect", "mlir::tensor::TensorDialect", "mlir::memref::MemRefDialect"];
}

def SelectLogitsPass : Pass<"edge-select-logits", "mlir::ModuleOp"> {
  let summary = "Compute a causal LM's logits only for the tokens that are sampled";
  let description = [{
    In a step of a causal LM (a function with `edge.causal_lm`), only the last token of
    each sequence is sampled, yet the graph computes logits for every token: in a prefill
    chunk that is the largest matmul of the model (tokens x hidden x vocabulary) and a
    tokens x vocabulary buffer. This pass adds an input `logits_indices` (i64 [rows]) and
    gathers those rows of the hidden state right before the vocabulary projection, so the
    logits are [1, rows, vocab].

    It applies when the logits result is `MatMul(hidden [1, tokens, H], W)` followed only
    by ops that combine it with token-independent values (a bias, a scale, a softcap); the
    function then gets `select_logits` in its `edge.causal_lm` attribute. Otherwise the
    function is left as it is.
  }];
  let dependentDialects = ["edge::EdgeDialect"];
}

def LowerPagedAttentionPass : Pass<"edge-lower-paged-attention", "mlir::ModuleOp"> {
  let summary = "Turn buffer-form edge.paged_attention into calls of the runtime kernel";
  let description = [{
    After bufferization, each `edge.paged_attention` on memrefs becomes

        func.call @edge_rt_paged_attention(%context, %q, %k, %v, %out, %layer, %scale)

    with the 4-D operands cast to fully dynamic strided memrefs; the declaration carries
    `llvm.emit_c_interface`, so the runtime's `_mlir_ciface_edge_rt_paged_attention`
    receives memref descriptors and reads every stride.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def QuantizeWeightsPass : Pass<"edge-quantize-weights", "mlir::ModuleOp"> {
  let summary = "Store the weights the driver chose in block-quantized form and read them with quantized ops";
  let description = [{
    Runs on the onnx dialect. An f32 `edge.weight` carrying `quant` and `quant_block` (set
    by the driver from `--quant`, `--quant-override`) becomes the bytes of its quantized
    form (rows of the reduction dim, edge/weights_format.h), and every op reading it is
    rewritten: MatMul (right operand, 2-D or 3-D left operand) and Gemm (B; alpha 1, no
    transA, beta 1, the bias added after) into `edge.quantized_matmul` over the left
    operand's rows, Gather along axis 0 by 1-D or 2-D indices into
    `edge.quantized_embedding`. A requested weight read any other way, or whose
    reduction dim is not a multiple of the block, is an error naming it.

    ```mlir
    %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64} : tensor<64x32xf32>
    %y = onnx.MatMul %x, %w : (tensor<1x?x64xf32>, tensor<64x32xf32>) -> tensor<1x?x32xf32>
    ```
    becomes
    ```mlir
    %w = edge.weight @w offset 0 {quant = "q8_0", quant_block = 32 : i64, quant_from_kn} : tensor<2176xi8>
    %init = tensor.empty(%d) : tensor<1x?x32xf32>
    %y = edge.quantized_matmul "q8_0" block 32 %x, %w into %init : ... -> tensor<1x?x32xf32>
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def LowerQuantizedOpsPass : Pass<"edge-lower-quantized-ops", "mlir::ModuleOp"> {
  let summary = "Turn buffer-form quantized ops into calls of the target's ukernels";
  let description = [{
    After bufferization, `edge.quantized_matmul` becomes

        %scratch = memref.alloc(%bytes) : memref<?xi8>   // the int8 activations
        func.call @edge_uk_qmatmul(%input, %weight, %init, %scratch, %dtype, %block)
        memref.dealloc %scratch

    and `edge.quantized_embedding` a call of `edge_uk_dequant_rows`; operands are cast to
    dynamic strided memrefs of the kernels' ranks (3-D rows, 2-D indices; a 2-D operand
    first gains a leading unit dim). The declarations carry `llvm.emit_c_interface`; the
    definitions (runtime/ukernels, in the variant the target's features allow) are linked
    in from bitcode when the object is emitted.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// The Vulkan target: buffer code to GPU kernels and SPIR-V (codegen/spirv).
//===----------------------------------------------------------------------===//

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

#endif // EDGE_COMPILER_TRANSFORMS_PASSES_TD
