#!/usr/bin/python3
"""Generates dq_blocked/: weights stored as DequantizeLinear with block_size (opset 21)
feeding MatMul, the way block-wise quantizers write them, with ONNX Runtime's outputs as
the reference.

    gen_dq_blocked.py ORT_RUN_JS       (node script of test-suite/bench, needs npm onnxruntime-node)

    x [1, seq, 64] -> MatMul(DQ(int8 [64, 48], block 32, no zero point))       -> a
                   -> MatMul(DQ(int4 [64, 40], block 16, no zero point))       -> b
                   -> MatMul(DQ(int4 [64, 24], block 32, int4 zero points))    -> c
                   -> MatMul(DQ(uint4 [64, 32], block 64, uint4 zero points))  -> d
Scales are [K / block, N] (blocks along axis 0, the reduction dim). 4-bit tensors are
written as raw data, two values a byte with the first in the low nibble (Debian's
python3-onnx predates the INT4/UINT4 helpers). Cases: sequence 1 and 5.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

from ort_cases import write_ort_case

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dq_blocked")
rng = np.random.default_rng(23)
UINT4, INT4 = 21, 22  # TensorProto data types of ONNX 1.16


def packed(name, values, data_type):
    """A 4-bit tensor: values (ints in range) packed two a byte, low nibble first."""
    flat = (values.reshape(-1).astype(np.int64) & 15).astype(np.uint8)
    if flat.size % 2:
        flat = np.append(flat, 0)
    tensor = TensorProto(name=name, data_type=data_type, dims=list(values.shape))
    tensor.raw_data = (flat[0::2] | (flat[1::2] << 4)).tobytes()
    return tensor


def blocked(name, k, n, block, kind, zero_points, inits):
    """Quantizes a random [K, N] weight per block of `block` rows; returns the DQ node."""
    w = rng.standard_normal((k, n)).astype(np.float32) * 0.3
    blocks = w.reshape(k // block, block, n)
    lo, hi = {"int8": (-127, 127), "int4": (-8, 7), "uint4": (0, 15)}[kind]
    if zero_points:
        wmin, wmax = np.minimum(blocks.min(1), 0), np.maximum(blocks.max(1), 0)
        scale = np.maximum((wmax - wmin) / (hi - lo), 1e-8)
        zero = np.clip(np.round(lo - wmin / scale), lo, hi).astype(np.int64)
    else:
        scale = np.maximum(np.abs(blocks).max(1) / hi, 1e-8)
        zero = np.zeros_like(scale, dtype=np.int64)
    q = np.clip(np.round(blocks / scale[:, None, :]) + zero[:, None, :], lo, hi).astype(np.int64).reshape(k, n)
    inputs = [name + ".q", name + ".scale"]
    inits.append(numpy_helper.from_array(scale.astype(np.float32), name + ".scale"))
    if kind == "int8":
        inits.append(numpy_helper.from_array(q.astype(np.int8), name + ".q"))
    else:
        inits.append(packed(name + ".q", q, INT4 if kind == "int4" else UINT4))
    if zero_points:
        inputs.append(name + ".zero")
        if kind == "int8":
            inits.append(numpy_helper.from_array(zero.astype(np.int8), name + ".zero"))
        else:
            inits.append(packed(name + ".zero", zero, INT4 if kind == "int4" else UINT4))
    return helper.make_node("DequantizeLinear", inputs, [name + ".w"], name=name + ".dq", axis=0, block_size=block)


def build():
    inits, nodes, outputs = [], [], []
    for out, (k, n, block, kind, zero_points) in zip("abcd", [(64, 48, 32, "int8", False), (64, 40, 16, "int4", False),
                                                             (64, 24, 32, "int4", True), (64, 32, 64, "uint4", True)]):
        name = f"w_{out}"
        nodes.append(blocked(name, k, n, block, kind, zero_points, inits))
        nodes.append(helper.make_node("MatMul", ["x", name + ".w"], [out], name=f"matmul_{out}"))
        outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, "sequence", n]))
    graph = helper.make_graph(nodes, "dq_blocked", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "sequence", 64])],
                              outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)


def main():
    ort_run = sys.argv[1]
    os.makedirs(HERE, exist_ok=True)
    model_path = os.path.join(HERE, "dq_blocked.onnx")
    save(build(), model_path)
    for seq in (1, 5):
        write_ort_case(os.path.join(HERE, "cases", f"seq{seq}"), model_path,
                       {"x": rng.standard_normal((1, seq, 64)).astype(np.float32)}, ort_run)


if __name__ == "__main__":
    main()
