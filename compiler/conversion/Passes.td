//===- Passes.td - edgec conversion passes -----------------*- tablegen -*-===//
#ifndef EDGE_COMPILER_CONVERSION_PASSES_TD
#define EDGE_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertOnnxToLinalgPass : Pass<"convert-onnx-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower onnx ops to linalg/tensor/arith on tensors";
  let description = [{
    Each onnx op becomes linalg on tensors with dynamic dims taken from `tensor.dim`:
    elementwise ops become `linalg.generic` with numpy-broadcasting indexing maps,
    MatMul/Gemm become `linalg.matmul`/`linalg.batch_matmul` (or a contraction
    `linalg.generic` for transposed operands), Softmax becomes `linalg.softmax`,
    ReduceMean a `linalg.reduce` and a division, Reshape `tensor.reshape` of the shape
    computed from the input's dims, Transpose `linalg.transpose`, Gather a
    `linalg.generic` with `tensor.extract` (indices wrap when negative and clamp to the
    dim, so no input can read out of bounds). An op this pass cannot lower is an error
    naming the op.

    ```mlir
    %0 = onnx.Add %x, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    ```
    becomes
    ```mlir
    %d = tensor.dim %x, %c0 : tensor<?x8xf32>
    %e = tensor.empty(%d) : tensor<?x8xf32>
    %0 = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1), ...]}
           ins(%x, %b : ...) outs(%e : ...) { arith.addf ... }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect", "mlir::math::MathDialect"];
}

#endif // EDGE_COMPILER_CONVERSION_PASSES_TD
