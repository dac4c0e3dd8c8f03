#!/usr/bin/python3
"""Generates mlp/: a 2-layer MLP with an exact (erf) GELU, as torch.onnx.export writes it.

    y = Gemm(gelu(x @ W1 + b1), W2, b2, transB=1)      x: [batch, 64] -> y: [batch, 10]

Also writes cases/<case>/<input>.npy for three batch sizes and their float64 numpy
references as cases/<case>/expected/<output>.npy. Run with
Debian's /usr/bin/python3 (python3-onnx, python3-numpy); outputs are deterministic.
"""
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp")
os.makedirs(here, exist_ok=True)
rng = np.random.default_rng(1234)
w1 = (rng.standard_normal((64, 128)) / 8).astype(np.float32)
b1 = (rng.standard_normal(128) / 10).astype(np.float32)
w2 = (rng.standard_normal((10, 128)) / 11).astype(np.float32)  # [out, in]: Gemm transB
b2 = (rng.standard_normal(10) / 10).astype(np.float32)

const = lambda name, value: numpy_helper.from_array(np.array(value, dtype=np.float32), name)
nodes = [
    helper.make_node("MatMul", ["x", "fc1.weight"], ["h0"], name="/fc1/MatMul"),
    helper.make_node("Add", ["h0", "fc1.bias"], ["h1"], name="/fc1/Add"),
    # GELU(erf) exactly as exporters spell it: x * 0.5 * (1 + erf(x / sqrt(2)))
    helper.make_node("Div", ["h1", "sqrt2"], ["g0"], name="/act/Div"),
    helper.make_node("Erf", ["g0"], ["g1"], name="/act/Erf"),
    helper.make_node("Add", ["g1", "one"], ["g2"], name="/act/Add"),
    helper.make_node("Mul", ["h1", "g2"], ["g3"], name="/act/Mul"),
    helper.make_node("Mul", ["g3", "half"], ["g4"], name="/act/Mul_1"),
    helper.make_node("Gemm", ["g4", "fc2.weight", "fc2.bias"], ["y"], name="/fc2/Gemm", transB=1),
]
graph = helper.make_graph(
    nodes, "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
    [numpy_helper.from_array(w1, "fc1.weight"), numpy_helper.from_array(b1, "fc1.bias"),
     numpy_helper.from_array(w2, "fc2.weight"), numpy_helper.from_array(b2, "fc2.bias"),
     const("sqrt2", math.sqrt(2.0)), const("one", 1.0), const("half", 0.5)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec-test-suite")
save(model, os.path.join(here, "mlp.onnx"))

erf = np.vectorize(math.erf)
def reference(x):
    h = x.astype(np.float64) @ w1 + b1
    g = h * 0.5 * (1.0 + erf(h / math.sqrt(2.0)))
    return (g @ w2.T.astype(np.float64) + b2).astype(np.float32)

for batch in (1, 3, 17):
    case = os.path.join(here, "cases", f"batch{batch}")
    os.makedirs(os.path.join(case, "expected"), exist_ok=True)
    x = rng.standard_normal((batch, 64)).astype(np.float32)
    np.save(os.path.join(case, "x.npy"), x)
    np.save(os.path.join(case, "expected", "y.npy"), reference(x))
print("wrote", here, file=sys.stderr)
