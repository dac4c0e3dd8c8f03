#!/usr/bin/python3
"""Checks hello_mlp's printed outputs against numpy evaluating mlp.onnx's weights directly.

    expected.py MLP.onnx OUTPUT.txt
"""
import math
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
w = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
x = np.sin(0.1 * np.arange(2 * 64, dtype=np.float32)).astype(np.float64).reshape(2, 64)
h = x @ w["fc1.weight"] + w["fc1.bias"]
g = h * 0.5 * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))
expected = (g @ w["fc2.weight"].T + w["fc2.bias"]).reshape(-1)
got = np.loadtxt(sys.argv[2])
error = np.abs(got - expected).max()
print(f"hello_mlp: {got.size} values, max abs error {error:.2e} (atol 1e-4)")
sys.exit(0 if got.shape == expected.shape and error <= 1e-4 else 1)
