#!/usr/bin/python3
"""Writes small ONNX models for the importer's lit tests: make_model.py CASE OUT.onnx.

Each case is a tiny graph built with onnx.helper, so the tests read the IR the importer
makes from exactly what exporters write. Cases that need extra files (external data)
write them next to OUT.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

F = TensorProto.FLOAT


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=17, extra_opsets=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    return helper.make_model(graph, opset_imports=opsets)


def ir_version(m, version):
    m.ir_version = version
    return m


def weight(name, shape, seed=0):
    return numpy_helper.from_array(np.random.default_rng(seed).standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


CASES = {
    # MatMul with a weight (goes to NAME.weights) and a small bias (inlined constant).
    "linear": lambda: model(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
         helper.make_node("Add", ["h", "b"], ["y"], name="add")],
        [vi("x", ["batch", 32])], [vi("y", ["batch", 8])],
        [weight("w", (32, 8)), weight("b", (8,), 1)]),
    "elementwise": lambda: model(
        [helper.make_node("Sub", ["x", "x"], ["a"], name="sub"),
         helper.make_node("Div", ["a", "x"], ["b"], name="div"),
         helper.make_node("Relu", ["b"], ["c"], name="relu"),
         helper.make_node("Tanh", ["c"], ["d"], name="tanh"),
         helper.make_node("Sigmoid", ["d"], ["e"], name="sigmoid"),
         helper.make_node("Sqrt", ["e"], ["f"], name="sqrt"),
         helper.make_node("Pow", ["f", "two"], ["g"], name="pow"),
         helper.make_node("Cast", ["g"], ["y"], name="cast", to=TensorProto.INT64)],
        [vi("x", ["n", 4])], [vi("y", ["n", 4], TensorProto.INT64)],
        [numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two")]),
    # Shapes: Reshape with 0 and -1, Transpose, Softmax, ReduceMean (opset 18: axes input).
    "shapes": lambda: model(
        [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
         helper.make_node("Transpose", ["r"], ["t"], name="transpose", perm=[0, 2, 1, 3]),
         helper.make_node("Softmax", ["t"], ["s"], name="softmax", axis=-1),
         helper.make_node("ReduceMean", ["s", "axes"], ["y"], name="mean", keepdims=1),
         helper.make_node("Identity", ["y"], ["z"], name="identity")],
        [vi("x", [1, "seq", 16])], [vi("z", [1, 4, "seq", 1])],
        [ints("shape", [0, 0, 4, -1]), ints("axes", [-1])], opset=18),
    # What torch.onnx.export writes for x.view(b, s, heads, -1): the shape is computed from
    # Shape/Gather/Unsqueeze/Concat at run time, and folds to the input dims.
    "exporter_shapes": lambda: model(
        [helper.make_node("Shape", ["x"], ["shape"], name="shape"),
         helper.make_node("Gather", ["shape", "zero"], ["b"], name="gather_b", axis=0),
         helper.make_node("Gather", ["shape", "one"], ["s"], name="gather_s", axis=0),
         helper.make_node("Unsqueeze", ["b", "axes0"], ["b1"], name="unsq_b"),
         helper.make_node("Unsqueeze", ["s", "axes0"], ["s1"], name="unsq_s"),
         helper.make_node("Concat", ["b1", "s1", "heads"], ["target"], name="concat", axis=0),
         helper.make_node("Reshape", ["x", "target"], ["r"], name="view"),
         helper.make_node("Transpose", ["r"], ["t"], name="transpose", perm=[0, 2, 1, 3]),
         helper.make_node("Shape", ["t"], ["tshape"], name="shape_t", start=-2),
         helper.make_node("ConstantOfShape", ["tshape"], ["ones"], name="fill",
                          value=numpy_helper.from_array(np.array([1.0], dtype=np.float32))),
         helper.make_node("Trilu", ["ones"], ["mask"], name="causal", upper=0),
         helper.make_node("Add", ["t", "mask"], ["y"], name="add")],
        [vi("x", ["batch", "seq", 16])], [vi("y", ["batch", 4, "seq", 4])],
        [ints("zero", 0), ints("one", 1), ints("axes0", [0]), ints("heads", [4, -1])]),
    # Three nodes edgec cannot import, for different reasons.
    "several_unsupported": lambda: model(
        [helper.make_node("Celu", ["x"], ["a"], name="celu"),
         helper.make_node("Softmax", ["a"], ["b"], name="softmax", axis=-1, flavor=2),
         helper.make_node("Relu", ["b"], ["c"], name="relu"),
         helper.make_node("Attention", ["c"], ["y"], name="attn", domain="com.microsoft")],
        [vi("x", [2])], [vi("y", [2])], extra_opsets=[("com.microsoft", 1)]),
    "bad_gelu": lambda: model(
        [helper.make_node("Gelu", ["x"], ["y"], name="gelu", approximate="sigmoid")],
        [vi("x", [2])], [vi("y", [2])], opset=20),
    "runtime_axes": lambda: model(
        [helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq")],
        [vi("x", [2]), vi("axes", [1], TensorProto.INT64)], [vi("y", [1, 2])]),
    "gather_gemm": lambda: model(
        [helper.make_node("Gather", ["table", "ids"], ["e"], name="embed", axis=0),
         helper.make_node("Constant", [], ["c"], name="const",
                          value=numpy_helper.from_array(np.ones(4, dtype=np.float32), "c")),
         helper.make_node("Gemm", ["e", "w", "c"], ["y"], name="gemm", transB=1, alpha=0.5)],
        [vi("ids", ["n"], TensorProto.INT64)], [vi("y", ["n", 4])],
        [weight("table", (50, 8)), weight("w", (4, 8), 2)]),
    # Gemm's transB must be 0 or 1; opsets and IR versions outside what edgec reads.
    "gemm_trans_two": lambda: model(
        [helper.make_node("Gemm", ["x", "w"], ["y"], name="gemm", transB=2)],
        [vi("x", ["batch", 4])], [vi("y", ["batch", 3])], [weight("w", [3, 4])]),
    "opset_99": lambda: model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2])], opset=99),
    "ir_version_99": lambda: ir_version(
        model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2])]), 99),
    # Gather with a constant index past the 10 rows of its table.
    "gather_out_of_range": lambda: model(
        [helper.make_node("Gather", ["table", "idx"], ["y"], name="lookup", axis=0)],
        [vi("x", [1])], [vi("y", [2, 4])], [weight("table", [10, 4]), ints("idx", [3, 100])]),
    # Reshape of [rows, 5] / [rows, 3] into the static [5, 7] (tied-dims.test).
    "reshape_fixes_dim": lambda: model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
        [vi("x", ["rows", 5])], [vi("y", [5, 7])], [ints("shape", [5, 7])]),
    "reshape_fits_no_dim": lambda: model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
        [vi("x", ["rows", 3])], [vi("y", [5, 7])], [ints("shape", [5, 7])]),
    # A blocked DequantizeLinear (opset 21, newer than the schemas Debian's ONNX knows)
    # without outputs: the importer used to read the missing output and crash.
    "no_outputs": lambda: model(
        [helper.make_node("DequantizeLinear", ["q", "scale"], [], name="dq", axis=0, block_size=2),
         helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [vi("x", [2])], [vi("y", [2])],
        [numpy_helper.from_array(np.zeros((4, 2), np.int8), "q"),
         numpy_helper.from_array(np.ones((2, 2), np.float32), "scale")], opset=21),
    # GroupQueryAttention whose seqlens_k is a scalar, not [batch] (the importer read its
    # missing first dim).
    "gqa_scalar_seqlens": lambda: model(
        [helper.make_node("GroupQueryAttention", ["q", "k", "v", "", "", "seqlens", "total"], ["y"], name="gqa",
                          domain="com.microsoft", num_heads=2, kv_num_heads=1)],
        [vi("q", [1, "s", 8]), vi("k", [1, "s", 4]), vi("v", [1, "s", 4]), vi("seqlens", [], TensorProto.INT32),
         vi("total", [], TensorProto.INT32)],
        [vi("y", [1, "s", 8])], extra_opsets=[("com.microsoft", 1)]),
    # Constant shapes no target could hold (each compile used to exhaust memory or the run
    # to crash): ConstantOfShape [2^31, 2^31], Tile by [2^40, 2^40], Range(0, 2^62).
    "huge_constant_of_shape": lambda: model(
        [helper.make_node("ConstantOfShape", ["shape"], ["y"], name="fill",
                          value=helper.make_tensor("v", F, [1], [1.0]))],
        [vi("x", [1])], [vi("y", None)], [ints("shape", [2**31, 2**31])]),
    "huge_tile": lambda: model(
        [helper.make_node("Tile", ["x", "repeats"], ["y"], name="tile")],
        [vi("x", [2, 2])], [vi("y", None)], [ints("repeats", [2**40, 2**40])]),
    "huge_range": lambda: model(
        [helper.make_node("Range", ["start", "limit", "delta"], ["y"], name="range")],
        [vi("x", [1])], [vi("y", None, TensorProto.INT64)],
        [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("start", 0), ("limit", 2**62), ("delta", 1))]),
    # Outputs declared other than the graph computes: element type, static dim.
    "declared_type": lambda: model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2], TensorProto.INT64)]),
    "declared_dim": lambda: model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, 3])], [vi("y", [2, 4])]),
    # Against ONNX's schema: Erf takes one input; Gemm's alpha is a float.
    "erf_two_inputs": lambda: model(
        [helper.make_node("Erf", ["x", "x"], ["y"], name="erf")], [vi("x", [2])], [vi("y", [2])]),
    "gemm_int_alpha": lambda: model(
        [helper.make_node("Gemm", ["x", "w"], ["y"], name="gemm", alpha=2)],
        [vi("x", ["batch", 4])], [vi("y", ["batch", 3])], [weight("w", [4, 3])]),
    "unknown_op": lambda: model(
        [helper.make_node("Celu", ["x"], ["y"], name="my_celu")],
        [vi("x", [2])], [vi("y", [2])]),
    "undetermined_output": lambda: model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")],
        [vi("x", ["a", "b"])], [vi("y", [None])], [ints("shape", [-1])]),
    "mismatched_dims": lambda: model(
        [helper.make_node("Add", ["x", "z"], ["y"], name="add")],
        [vi("x", ["seq", 4]), vi("z", [3, 4])], [vi("y", ["seq", 4])]),
    "quant_mix": lambda: model(  # token embedding, a 64-deep matmul, a 48-deep one (unfit)
        [helper.make_node("Gather", ["table", "input_ids"], ["e"], name="embed", axis=0),
         helper.make_node("MatMul", ["e", "w1"], ["h"], name="up"),
         helper.make_node("MatMul", ["h", "w2"], ["y"], name="down")],
        [vi("input_ids", [1, "n"], TensorProto.INT64)], [vi("y", [1, "n", 32])],
        [weight("table", (40, 64)), weight("w1", (64, 48), 1), weight("w2", (48, 32), 2)]),
    "nbits_bad_block": lambda: model(
        [helper.make_node("MatMulNBits", ["x", "b", "s"], ["y"], name="proj", domain="com.microsoft",
                          K=64, N=8, bits=4, block_size=24)],
        [vi("x", ["n", 64])], [vi("y", ["n", 8])],
        [numpy_helper.from_array(np.zeros((8, 3, 12), np.uint8), "b"),
         numpy_helper.from_array(np.ones(24, np.float32), "s")], extra_opsets=[("com.microsoft", 1)]),
    "nbits_short_scales": lambda: model(
        [helper.make_node("MatMulNBits", ["x", "b", "s"], ["y"], name="proj", domain="com.microsoft",
                          K=64, N=8, bits=4, block_size=32)],
        [vi("x", ["n", 64])], [vi("y", ["n", 8])],
        [numpy_helper.from_array(np.zeros((8, 2, 16), np.uint8), "b"),
         numpy_helper.from_array(np.ones(15, np.float32), "s")], extra_opsets=[("com.microsoft", 1)]),
    "dq_unblocked": lambda: model(
        [helper.make_node("DequantizeLinear", ["q", "s"], ["w"], name="dq", axis=1),
         helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
        [vi("x", ["n", 32])], [vi("y", ["n", 4])],
        [numpy_helper.from_array(np.ones((32, 4), np.int8), "q"), numpy_helper.from_array(np.ones(4, np.float32), "s")],
        opset=21),
    "dq_read_twice": lambda: model(
        [helper.make_node("DequantizeLinear", ["q", "s"], ["w"], name="dq", axis=0, block_size=16),
         helper.make_node("MatMul", ["x", "w"], ["y"], name="mm"),
         helper.make_node("Add", ["w", "w"], ["z"], name="twice")],
        [vi("x", ["n", 32])], [vi("y", ["n", 4]), vi("z", [32, 4])],
        [numpy_helper.from_array(np.ones((32, 4), np.int8), "q"),
         numpy_helper.from_array(np.ones((2, 4), np.float32), "s")], opset=21),
    "tied_dims": lambda: model(  # an attention mask as long as past + sequence
        [helper.make_node("Concat", ["past", "x"], ["all"], axis=0),
         helper.make_node("Add", ["all", "mask"], ["y"], name="add_mask")],
        [vi("past", ["past", 4]), vi("x", ["seq", 4]), vi("mask", ["total", 1])], [vi("y", ["total", 4])]),
    # Integer constants whose arithmetic is undefined in C: INT64_MIN / -1, INT64_MIN % -1,
    # INT64_MAX * 2, INT64_MAX + 1 (folding must leave them, not trap).
    "int_overflow": lambda: model(
        [helper.make_node("Div", ["min", "minus1"], ["q"], name="div"),
         helper.make_node("Mod", ["min", "minus1"], ["r"], name="mod"),
         helper.make_node("Mul", ["max", "two"], ["m"], name="mul"),
         helper.make_node("Add", ["max", "one"], ["s"], name="add"),
         helper.make_node("Sum", ["x", "q", "r", "m", "s"], ["y"], name="sum")],
        [vi("x", [1], TensorProto.INT64)], [vi("y", [1], TensorProto.INT64)],
        [ints("min", [-2**63]), ints("minus1", [-1]), ints("max", [2**63 - 1]), ints("two", [2]), ints("one", [1])]),
}


def external(out, location):
    """A MatMul whose weight lives in an external file at `location`."""
    w = weight("w", (16, 16))
    w.data_location = TensorProto.EXTERNAL
    raw = np.random.default_rng(0).standard_normal((16, 16)).astype(np.float32).tobytes()
    w.ClearField("raw_data")
    for key, value in (("location", location), ("offset", "0"), ("length", str(len(raw)))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    if not os.path.isabs(location):  # "../x" too: the importer must refuse it even though it exists
        with open(os.path.join(os.path.dirname(out), location), "wb") as f:
            f.write(raw)
    return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                 [vi("x", ["n", 16])], [vi("y", ["n", 16])], [w])


def attribute_escape(out):
    """ConstantOfShape whose `value` tensor claims external data outside the model's folder."""
    value = numpy_helper.from_array(np.array([1.0], dtype=np.float32), "value")
    value.data_location = TensorProto.EXTERNAL
    value.ClearField("raw_data")
    for key, v in (("location", "../outside.bin"), ("offset", "0"), ("length", "4")):
        entry = value.external_data.add()
        entry.key, entry.value = key, v
    with open(os.path.join(os.path.dirname(out), "../outside.bin"), "wb") as f:
        f.write(np.array([1.0], dtype=np.float32).tobytes())
    return model([helper.make_node("ConstantOfShape", ["shape"], ["y"], name="fill", value=value)],
                 [vi("shape", [2], TensorProto.INT64)], [vi("y", [None, None])])


def main():
    case, out = sys.argv[1], sys.argv[2]
    if case == "external":
        m = external(out, "weights.bin")
    elif case == "external_escape":
        m = external(out, "../outside.bin")
    elif case == "external_absolute":
        m = external(out, "/etc/passwd")
    elif case == "attribute_escape":
        m = attribute_escape(out)
    else:
        m = CASES[case]()
    save(m, out)


if __name__ == "__main__":
    main()
