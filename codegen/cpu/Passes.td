//===- Passes.td - code generation passes of the CPU targets (LLVM) -*- tablegen -*-===//
//
// One pass per file, named alike: def PackWeightsPass <-> flag edge-pack-weights <->
// codegen/cpu/PackWeights.cpp <-> tests/lit/codegen/cpu/pack-weights.mlir.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_CODEGEN_CPU_PASSES_TD
#define EDGE_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SelectStrategyPass : Pass<"edge-cpu-select-strategy", "mlir::ModuleOp"> {
  let summary = "Record the CPU target's tile sizes on the module";
  let description = [{
    Reads the module's `edge.target` (x86_64 when absent) and `edge.cpu`, asks the
    target's configuration (codegen/cpu/{X86,Aarch64}Config.cpp) for its tiles and records
    them as `edge.cpu_strategy = {mr, nr, kc, row_nr, vector_lanes_f32,
    max_whole_inner_dim}` (codegen/cpu/Strategy.h). edge-pack-weights and
    edge-tile-and-vectorize read the tiles from there, never from the configuration. A
    module that already has a strategy keeps it; an unknown target is an error.
  }];
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

def InterleaveQuantizedRowsPass : Pass<"edge-interleave-quantized-rows", "mlir::ModuleOp"> {
  let summary = "Store quantized matmul weights four rows interleaved, for four-row ukernels";
  let description = [{
    When the module's `edge.ukernel_row_group` is 4 (the target's ukernel variant computes
    four output columns at once and streams their rows as one sequence), every
    block-quantized weight that only quantized_matmul ops read as their weight, with N a
    multiple of 4 and blocks of a multiple of 32 values, takes the `_x4` form of its format
    (q8_0x4, q4_0x4, q4_1x4: edge/weights_format.h), on the weight and on its matmuls. The
    packer then writes the rows interleaved; the ukernels read them without repacking.
    Token embeddings and weights read otherwise keep plain rows.

    ```mlir
    %w = edge.weight @w offset 0 {quant = "q4_0", quant_block = 32 : i64, quant_from_kn} : tensor<576xi8>
    %y = edge.quantized_matmul "q4_0" block 32 %x, %w into %init : ...
    ```
    becomes, under `edge.ukernel_row_group = 4`,
    ```mlir
    %w = edge.weight @w offset 0 {quant = "q4_0x4", quant_block = 32 : i64, quant_from_kn} : tensor<576xi8>
    %y = edge.quantized_matmul "q4_0x4" block 32 %x, %w into %init : ...
    ```
  }];
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

def UsePanelUkernelPass : Pass<"edge-use-panel-ukernel", "mlir::func::FuncOp"> {
  let summary = "Run the f32 matmuls of packed weights as the panel ukernel";
  let description = [{
    A contraction edge-pack-weights rewrote over a panel-packed f32 weight, when it is a
    plain product of rows by the matrix (A indexed (rows..., k), the packed weight
    (n0, k, n1), the accumulator (rows..., n0, n1)), becomes `edge.panel_matmul` on the
    accumulator with (n0, n1) collapsed to N, its result expanded back (the packer's
    reshapes then fold away). A zero fill of the accumulator is dropped: the op then sums
    from zero instead of accumulating and only writes its init, so matmuls that share one
    fill need no copy of it:

    ```mlir
    %a = tensor.expand_shape %acc [[0], [1, 2]] : tensor<?x32xf32> into tensor<?x2x16xf32>
    %r = linalg.generic {(m,n0,n1,k)->(m,k), (m,n0,n1,k)->(n0,k,n1), (m,n0,n1,k)->(m,n0,n1)}
           ins(%x, %w) outs(%a)
    %y = tensor.collapse_shape %r [[0], [1, 2]] : tensor<?x2x16xf32> into tensor<?x32xf32>
    ```
    becomes
    ```mlir
    %y = edge.panel_matmul %x, %w into %acc accumulate : tensor<?x64xf32>, tensor<2x64x16xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
    ```
    The ukernel (runtime/ukernels/panel_matmul.h) splits the columns over the run's threads
    and computes every value in the same order whatever the rows, so decode and prefill
    give the same bits for a row. Other contractions stay for edge-tile-and-vectorize.
  }];
  let dependentDialects = ["edge::EdgeDialect"];
}

def LowerPagedAttentionPass : Pass<"edge-lower-paged-attention", "mlir::ModuleOp"> {
  let summary = "Turn buffer-form edge.paged_attention into calls of the runtime kernel";
  let description = [{
    After bufferization, each `edge.paged_attention` on memrefs becomes

        func.call @edge_rt_paged_attention(%context, %q, %k, %v, %out, %layer, %scale)

    with the 4-D operands cast to fully dynamic strided memrefs; the declaration carries
    `llvm.emit_c_interface`, so the kernel receives memref descriptors and reads every
    stride. The call reaches the runtime through the run's import table
    (edge-bind-runtime-imports binds `_mlir_ciface_edge_rt_paged_attention` to its
    paged_attention slot).
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def LowerUkernelOpsPass : Pass<"edge-lower-ukernel-ops", "mlir::ModuleOp"> {
  let summary = "Turn buffer-form ukernel ops into calls of the target's ukernels";
  let description = [{
    After bufferization, `edge.quantized_matmul` becomes

        %scratch = memref.alloc(%bytes) : memref<?xi8>   // the int8 activations
        func.call @edge_uk_qmatmul(%input, %weight, %init, %scratch, %dtype, %block)
        memref.dealloc %scratch

    `edge.quantized_embedding` a call of `edge_uk_dequant_rows` and `edge.panel_matmul` one
    of `edge_uk_panel_matmul(%input, %weight, %init, %accumulate)`; operands are cast to
    dynamic strided memrefs of the kernels' ranks (3-D rows and panels, 2-D indices; a 2-D operand
    first gains a leading unit dim). The declarations carry `llvm.emit_c_interface`; the
    definitions (runtime/ukernels, in the variant the target's features allow) are linked
    in from bitcode when the object is emitted.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

#endif // EDGE_CODEGEN_CPU_PASSES_TD
