#!/usr/bin/python3
"""The Vulkan kernels compute q8_0 matmuls exactly as edgec defines them: the MLP compiled
with --quant q8_0 --target vulkan must match a numpy float64 forward pass whose matrices
are quantized the way edgec stores them (blocks of 32 along the reduction dim, scale
max|w| / 127 rounded to f16, values round(w / scale)) and whose matmul inputs are
quantized the way the CPU ukernels quantize them (per row and block of 32: scale
max|x| / 127 in f32, values x * 127 / max|x| rounded half away from zero), within 1e-5
(f32 arithmetic). A kernel that read a wrong byte or scale, or quantized its inputs
differently, would be off by about the quantization error (~1e-2 here).

    check_vulkan_q8.py --edgec EDGEC --work DIR [--vulkan-device llvmpipe]
"""
import argparse
import glob
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "mlp")


def q8_0(w_kn):
    """Dequantized q8_0 of a [K, N] matrix, blocks along K."""
    k, n = w_kn.shape
    blocks = w_kn.T.reshape(n, k // 32, 32).astype(np.float32)
    scale = (np.abs(blocks).max(-1, keepdims=True) / np.float32(127)).astype(np.float16).astype(np.float32)
    q = np.where(scale > 0, np.round(blocks / np.where(scale > 0, scale, 1)), 0)
    return (q * scale).reshape(n, k).T.astype(np.float64)


def quantized_rows(x):
    """x [rows, K] with each row's blocks of 32 quantized to int8 and dequantized."""
    rows, k = x.shape
    blocks = x.astype(np.float32).reshape(rows, k // 32, 32)
    amax = np.abs(blocks).max(-1, keepdims=True)
    scale = amax / np.float32(127)
    inverse = np.where(amax > 0, np.float32(127) / np.where(amax > 0, amax, 1), 0).astype(np.float32)
    v = blocks * inverse
    q = np.clip(np.trunc(v + np.where(v < 0, np.float32(-0.5), np.float32(0.5))), -127, 127)
    return (q.astype(np.float64) * scale).reshape(rows, k)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--vulkan-device", default="llvmpipe")
    args = parser.parse_args()
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(os.path.join(MODEL, "mlp.onnx")).graph.initializer}
    w1, b1 = q8_0(weights["fc1.weight"]), weights["fc1.bias"].astype(np.float64)
    w2, b2 = q8_0(weights["fc2.weight"].T), weights["fc2.bias"].astype(np.float64)  # Gemm transB: [out, in]
    erf = np.vectorize(math.erf)

    out = os.path.join(args.work, "compiled")
    subprocess.run([args.edgec, "compile", os.path.join(MODEL, "mlp.onnx"), "-o", out, "--target", "vulkan",
                    "--quant", "q8_0"], check=True)
    failed = 0
    for case in sorted(glob.glob(os.path.join(MODEL, "cases", "*"))):
        name = os.path.basename(case)
        result = os.path.join(args.work, name)
        os.makedirs(result, exist_ok=True)
        subprocess.run([args.edgec, "run", out, "--input", f"x={case}/x.npy", "--output-dir", result,
                        "--vulkan-device", args.vulkan_device], check=True, capture_output=True)
        x = np.load(os.path.join(case, "x.npy")).astype(np.float64)
        h = quantized_rows(x) @ w1 + b1
        expected = quantized_rows(0.5 * h * (1 + erf(h / math.sqrt(2)))) @ w2 + b2
        error = float(np.abs(np.load(os.path.join(result, "y.npy")) - expected).max())
        good = error <= 1e-5
        failed += not good
        print(f"{'ok  ' if good else 'FAIL'} {name}: max abs error {error:.2e} against q8_0 weights and int8 activations in numpy (bound 1e-5)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
