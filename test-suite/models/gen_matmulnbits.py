#!/usr/bin/python3
"""Generates matmulnbits/: pre-quantized 4-bit weights as ONNX Runtime's quantizer writes
them (com.microsoft MatMulNBits), with ONNX Runtime's outputs as the reference.

    gen_matmulnbits.py ORT_RUN_JS       (node script of test-suite/bench, needs npm onnxruntime-node)

    x [1, seq, 64] -> MatMulNBits (N 96, block 32, zero points)  -> Relu
                   -> MatMulNBits (N 48, block 16, no zero points, bias) -> y
    x              -> MatMulNBits (N 40, block 64, zero points) -> z
    x2 [seq, 128]   -> MatMulNBits (N 32, block 128, zero points) -> w
The weights are quantized here with numpy (asymmetric min/max with a zero point, or
symmetric around the default zero point 8) and packed the way the contrib op documents it:
B [N, K / block, block / 2] with element 2i in the low nibble, scales [N * K / block],
zero points two per byte. Cases: sequence 1 and 5. Run with /usr/bin/python3.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

from ort_cases import write_ort_case

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "matmulnbits")
rng = np.random.default_rng(17)
MS = "com.microsoft"


def quantize(w, block, zero_points):
    """w [K, N] -> (B, scales, zero points or None) initializer arrays."""
    k, n = w.shape
    blocks = k // block
    q = np.zeros((n, blocks, block), dtype=np.uint8)
    scales = np.zeros((n, blocks), dtype=np.float32)
    zeros = np.full((n, blocks), 8, dtype=np.uint8)
    for col in range(n):
        for b in range(blocks):
            v = w[b * block:(b + 1) * block, col]
            if zero_points:
                lo, hi = min(v.min(), 0.0), max(v.max(), 0.0)
                scale = (hi - lo) / 15 or 1.0
                zero = int(np.clip(np.round(-lo / scale), 0, 15))
            else:
                scale = np.abs(v).max() / 7 or 1.0
                zero = 8
            q[col, b] = np.clip(np.round(v / scale) + zero, 0, 15)
            scales[col, b], zeros[col, b] = scale, zero
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    scale_array = scales.reshape(-1)
    zero_array = None
    if zero_points:
        padded = np.concatenate([zeros, np.zeros((n, blocks % 2), np.uint8)], axis=1)
        zero_array = (padded[:, 0::2] | (padded[:, 1::2] << 4)).reshape(-1).astype(np.uint8)
    return packed, scale_array, zero_array


def nbits(name, x, out, k, n, block, zero_points, inits, bias=None):
    packed, scales, zeros = quantize(rng.standard_normal((k, n)).astype(np.float32) * 0.3, block, zero_points)
    inits += [numpy_helper.from_array(packed, name + ".qweight"), numpy_helper.from_array(scales, name + ".scales")]
    inputs = [x, name + ".qweight", name + ".scales", name + ".qzeros" if zero_points else ""]
    if zero_points:
        inits.append(numpy_helper.from_array(zeros, name + ".qzeros"))
    if bias is not None:
        inits.append(numpy_helper.from_array(bias, name + ".bias"))
        inputs += ["", name + ".bias"]
    while inputs and not inputs[-1]:
        inputs.pop()
    return helper.make_node("MatMulNBits", inputs, [out], name=name, domain=MS, K=k, N=n, bits=4, block_size=block)


def build():
    inits = []
    nodes = [
        nbits("up", "x", "h", 64, 96, 32, True, inits),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        nbits("down", "r", "y", 96, 48, 16, False, inits, bias=(rng.standard_normal(48) * 0.1).astype(np.float32)),
        nbits("side", "x", "z", 64, 40, 64, True, inits),
        nbits("flat", "x2", "w", 128, 32, 128, True, inits),
    ]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "sequence", 64]),
              helper.make_tensor_value_info("x2", TensorProto.FLOAT, ["sequence", 128])]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "sequence", 48]),
               helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, "sequence", 40]),
               helper.make_tensor_value_info("w", TensorProto.FLOAT, ["sequence", 32])]
    graph = helper.make_graph(nodes, "matmulnbits", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)])


def main():
    ort_run = sys.argv[1]
    os.makedirs(HERE, exist_ok=True)
    model_path = os.path.join(HERE, "matmulnbits.onnx")
    save(build(), model_path)
    for seq in (1, 5):
        inputs = {"x": rng.standard_normal((1, seq, 64)).astype(np.float32),
                  "x2": rng.standard_normal((seq, 128)).astype(np.float32)}
        write_ort_case(os.path.join(HERE, "cases", f"seq{seq}"), model_path, inputs, ort_run)


if __name__ == "__main__":
    main()
