"""Writes a test case whose expected outputs are ONNX Runtime's (for the generators of models
whose ops have no torch or numpy reference: contrib ops, pre-quantized weights)."""
import os
import subprocess

import numpy as np


def write_ort_case(case_dir, model_path, inputs, ort_run):
    """Saves `inputs` (name -> array) as CASE/NAME.npy and runs the model on them with
    test-suite/bench/ort_run.js (`ort_run`), which writes CASE/expected/<output>.npy."""
    os.makedirs(os.path.join(case_dir, "expected"), exist_ok=True)
    specs = []
    for name, value in inputs.items():
        np.save(os.path.join(case_dir, name + ".npy"), value)
        specs.append(f"{name}={os.path.join(case_dir, name + '.npy')}")
    subprocess.run(["node", ort_run, model_path, os.path.join(case_dir, "expected"), "1", "1", *specs], check=True)
