//===- OnnxOps.td - onnx ops by family ---------------------*- tablegen -*-===//
#ifndef EDGE_ONNX_OPS_TD
#define EDGE_ONNX_OPS_TD

include "dialects/onnx/IR/OnnxBase.td"

//===----------------------------------------------------------------------===//
// Elementwise (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Onnx_BinaryOp<string mnemonic> : Onnx_Op<mnemonic> {
  let summary = "elementwise " # mnemonic # " with numpy broadcasting";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_AddOp : Onnx_BinaryOp<"Add">;
def Onnx_SubOp : Onnx_BinaryOp<"Sub">;
def Onnx_MulOp : Onnx_BinaryOp<"Mul">;
def Onnx_DivOp : Onnx_BinaryOp<"Div">;
def Onnx_PowOp : Onnx_BinaryOp<"Pow">;

class Onnx_UnaryOp<string mnemonic> : Onnx_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = "elementwise " # mnemonic;
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Onnx_ReluOp : Onnx_UnaryOp<"Relu">;
def Onnx_TanhOp : Onnx_UnaryOp<"Tanh">;
def Onnx_SigmoidOp : Onnx_UnaryOp<"Sigmoid">;
def Onnx_ErfOp : Onnx_UnaryOp<"Erf">;
def Onnx_SqrtOp : Onnx_UnaryOp<"Sqrt">;

def Onnx_CastOp : Onnx_Op<"Cast", [SameOperandsAndResultShape]> {
  let summary = "elementwise element type conversion";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def Onnx_MatMulOp : Onnx_Op<"MatMul"> {
  let summary = "numpy matmul: batched, with broadcasting of the batch dims";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_GemmOp : Onnx_Op<"Gemm"> {
  let summary = "alpha * op(A) * op(B) + beta * C, with 2-D A and B";
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b, Optional<AnyRankedTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

def Onnx_SoftmaxOp : Onnx_Op<"Softmax", [SameOperandsAndResultType]> {
  let summary = "softmax along one axis (opset 13 semantics)";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<SI64Attr, "-1">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Onnx_ReduceMeanOp : Onnx_Op<"ReduceMean"> {
  let summary = "mean over `axes` (all axes when empty)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Onnx_ReshapeOp : Onnx_Op<"Reshape"> {
  let summary = "reshape to a target shape (0 copies a dim unless allowzero, -1 infers)";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_TransposeOp : Onnx_Op<"Transpose"> {
  let summary = "permute dims (reverse them when perm is absent)";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_GatherOp : Onnx_Op<"Gather"> {
  let summary = "take slices of `data` along `axis` at `indices` (negative ones wrap)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   DefaultValuedAttr<SI64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_ONNX_OPS_TD
