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
def Onnx_MaxOp : Onnx_BinaryOp<"Max">;
def Onnx_MinOp : Onnx_BinaryOp<"Min">;
def Onnx_ModOp : Onnx_BinaryOp<"Mod"> {
  let summary = "elementwise remainder: the divisor's sign (fmod = 0) or the dividend's (fmod = 1)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs, DefaultValuedAttr<I64Attr, "0">:$fmod);
}

// Comparisons and logic produce i1 (ONNX bool).
def Onnx_EqualOp : Onnx_BinaryOp<"Equal">;
def Onnx_GreaterOp : Onnx_BinaryOp<"Greater">;
def Onnx_LessOp : Onnx_BinaryOp<"Less">;
def Onnx_GreaterOrEqualOp : Onnx_BinaryOp<"GreaterOrEqual">;
def Onnx_LessOrEqualOp : Onnx_BinaryOp<"LessOrEqual">;
def Onnx_AndOp : Onnx_BinaryOp<"And">;
def Onnx_OrOp : Onnx_BinaryOp<"Or">;
def Onnx_XorOp : Onnx_BinaryOp<"Xor">;

def Onnx_WhereOp : Onnx_Op<"Where"> {
  let summary = "condition ? x : y, elementwise with numpy broadcasting of all three";
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$x, AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

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
def Onnx_ExpOp : Onnx_UnaryOp<"Exp">;
def Onnx_LogOp : Onnx_UnaryOp<"Log">;
def Onnx_ReciprocalOp : Onnx_UnaryOp<"Reciprocal">;
def Onnx_SinOp : Onnx_UnaryOp<"Sin">;
def Onnx_CosOp : Onnx_UnaryOp<"Cos">;
def Onnx_FloorOp : Onnx_UnaryOp<"Floor">;
def Onnx_CeilOp : Onnx_UnaryOp<"Ceil">;
def Onnx_NegOp : Onnx_UnaryOp<"Neg">;
def Onnx_AbsOp : Onnx_UnaryOp<"Abs">;
def Onnx_NotOp : Onnx_UnaryOp<"Not">;

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

def Onnx_EinsumOp : Onnx_Op<"Einsum"> {
  let summary = "Einstein summation over letter-labelled dims";
  let description = [{
    `equation` is explicit ("bij,bjk->bik"), one letter per dim and no ellipsis (the
    importer expands those): letters of the output are parallel loops, the others are
    summed over. A letter repeated within one operand reads its diagonal.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, StrAttr:$equation);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
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

class Onnx_ReduceOp<string mnemonic, string what> : Onnx_Op<mnemonic> {
  let summary = what # " over `axes` (all axes when empty)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_ReduceMeanOp : Onnx_ReduceOp<"ReduceMean", "mean">;
def Onnx_ReduceSumOp : Onnx_ReduceOp<"ReduceSum", "sum">;
def Onnx_ReduceMaxOp : Onnx_ReduceOp<"ReduceMax", "maximum">;

def Onnx_CumSumOp : Onnx_Op<"CumSum", [SameOperandsAndResultType]> {
  let summary = "running sum along `axis` (exclusive: without the element itself; reverse: from the end)";
  let arguments = (ins AnyRankedTensor:$input, SI64Attr:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$exclusive,
                   DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Onnx_ReshapeOp : Onnx_Op<"Reshape"> {
  let summary = "reshape to a target shape (0 copies a dim unless allowzero, -1 infers)";
  let description = [{
    `shape` is a 1-D integer tensor computed at run time (a constant, or dims of the graph
    inputs); the result type holds what the importer proved about it.
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_ExpandOp : Onnx_Op<"Expand"> {
  let summary = "broadcast `data` against the run-time `shape` (numpy rules, both ways)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$shape);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConcatOp : Onnx_Op<"Concat"> {
  let summary = "join the inputs along `axis`";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, SI64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_SliceOp : Onnx_Op<"Slice"> {
  let summary = "numpy slicing data[starts:ends:steps] along `axes`";
  let description = [{
    `starts` and `ends` are 1-D integer tensors read at run time (one entry per axis),
    clamped as ONNX specifies; `axes` (normalized, distinct) and `steps` (non-zero) are
    constants.
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$starts, AnyRankedTensor:$ends,
                   DenseI64ArrayAttr:$axes, DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $starts `,` $ends attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_TileOp : Onnx_Op<"Tile"> {
  let summary = "repeat the input `repeats[i]` times along dim i";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_RangeOp : Onnx_Op<"Range"> {
  let summary = "start, start + delta, ... up to (not including) limit";
  let arguments = (ins AnyRankedTensor:$start, AnyRankedTensor:$limit, AnyRankedTensor:$delta);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConstantOfShapeOp : Onnx_Op<"ConstantOfShape"> {
  let summary = "a tensor of the run-time `shape` filled with `value`";
  let arguments = (ins AnyRankedTensor:$shape, TypedAttrInterface:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
}

def Onnx_TriluOp : Onnx_Op<"Trilu", [SameOperandsAndResultType]> {
  let summary = "keep the upper (or lower) triangle of the last two dims from diagonal k, zero the rest";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<SI64Attr, "0">:$k,
                   DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Onnx_GatherElementsOp : Onnx_Op<"GatherElements"> {
  let summary = "out[i] = data[i with i[axis] replaced by indices[i]] (negative ones wrap)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   DefaultValuedAttr<SI64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
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
