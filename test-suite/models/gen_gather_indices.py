#!/usr/bin/python3
"""Generates gather_indices/: Gather and GatherElements whose indices are graph inputs, with
indices outside the data, to pin down what edgec defines where ONNX does not.

    rows = Gather(table, ids, axis=0)            table: [10, 4] (initializer), ids: [n] i64
    picked = GatherElements(x, where, axis=1)    x: [2, 6], where: [2, k] i64

ONNX leaves an index outside [-n, n) undefined; edgec's code wraps a negative index once
(i + n) and clamps the result into [0, n), so a read never leaves the tensor. The
references here compute exactly that with numpy. Run with Debian's /usr/bin/python3
(python3-onnx, python3-numpy); outputs are deterministic.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gather_indices")
os.makedirs(here, exist_ok=True)
rng = np.random.default_rng(77)
table = rng.standard_normal((10, 4)).astype(np.float32)

graph = helper.make_graph(
    [helper.make_node("Gather", ["table", "ids"], ["rows"], name="/Gather", axis=0),
     helper.make_node("GatherElements", ["x", "where"], ["picked"], name="/GatherElements", axis=1)],
    "gather_indices",
    [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"]),
     helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
     helper.make_tensor_value_info("where", TensorProto.INT64, [2, "k"])],
    [helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["n", 4]),
     helper.make_tensor_value_info("picked", TensorProto.FLOAT, [2, "k"])],
    [numpy_helper.from_array(table, "table")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec-test-suite")
save(model, os.path.join(here, "gather_indices.onnx"))


def wrap_and_clamp(indices, n):
    return np.clip(np.where(indices < 0, indices + n, indices), 0, n - 1)


cases = {
    "in_range": (np.array([0, 9, -1, -10, 3], np.int64), np.array([[0, 5, -6], [-1, 2, 1]], np.int64)),
    "out_of_range": (np.array([100, -100, 10, -11, 1_000_000_000, -(2**62)], np.int64),
                     np.array([[6, -7, 2**40], [-(2**40), 99, -1]], np.int64)),
}
for name, (ids, where) in cases.items():
    case = os.path.join(here, "cases", name)
    os.makedirs(os.path.join(case, "expected"), exist_ok=True)
    x = rng.standard_normal((2, 6)).astype(np.float32)
    np.save(os.path.join(case, "ids.npy"), ids)
    np.save(os.path.join(case, "x.npy"), x)
    np.save(os.path.join(case, "where.npy"), where)
    np.save(os.path.join(case, "expected", "rows.npy"), table[wrap_and_clamp(ids, 10)])
    np.save(os.path.join(case, "expected", "picked.npy"), np.take_along_axis(x, wrap_and_clamp(where, 6), axis=1))
print("wrote", here, file=sys.stderr)
