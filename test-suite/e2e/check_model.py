#!/usr/bin/python3
"""Compiles one test-suite model for one target, runs every case and compares outputs.

    check_model.py --edgec EDGEC --target TARGET --model DIR --work DIR [--atol 1e-4] [--rtol R] [--features F]
                   [--vulkan-device NAME]

With --target vulkan the kernels are also written as SPIR-V files (--emit spirv) and each
must pass `spirv-val --target-env vulkan1.1`; the runs use the device --vulkan-device names
(default llvmpipe, Mesa's lavapipe).

DIR holds NAME.onnx and cases/<case>/<input>.npy with cases/<case>/expected/<output>.npy
(float64 numpy references written by the model's generator). The model is compiled once;
every case (batch sizes, sequence lengths) runs against that one library. Prints one line
per case and the closing line "N passed, M failed".
"""
import argparse
import glob
import os
import subprocess
import sys

import numpy as np


def check_spirv(args, onnx_file):
    """Every kernel of the Vulkan build is valid SPIR-V for the target environment edgec
    declares (Vulkan 1.1)."""
    spirv_dir = os.path.join(args.work, "spirv")
    subprocess.run([args.edgec, "compile", onnx_file, "-o", spirv_dir, "--target", "vulkan", "--paged-kv", "off",
                    "--emit", "spirv"], check=True)
    modules = sorted(glob.glob(os.path.join(spirv_dir, "*.spv")))
    if not modules:
        sys.exit(f"FAIL no SPIR-V modules in {spirv_dir}")
    for module in modules:
        subprocess.run(["spirv-val", "--target-env", "vulkan1.1", module], check=True)
    print(f"ok   {len(modules)} SPIR-V modules pass spirv-val --target-env vulkan1.1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--atol", type=float, default=1e-4)
    # Relative to the largest magnitude of the expected output (quantized models).
    parser.add_argument("--rtol", type=float, default=0.0)
    parser.add_argument("--vulkan-device", default="llvmpipe")
    parser.add_argument("--features", help="edgec compile --features (e.g. +v: RISC-V's vector kernels)")
    args = parser.parse_args()

    onnx_files = glob.glob(os.path.join(args.model, "*.onnx"))
    assert len(onnx_files) == 1, f"expected one .onnx in {args.model}"
    out = os.path.join(args.work, "compiled")
    # Graph semantics: past_key_values in, present out (the paged KV path has its own tests).
    features = ["--features", args.features] if args.features else []
    subprocess.run([args.edgec, "compile", onnx_files[0], "-o", out, "--target", args.target, "--paged-kv", "off",
                    *features], check=True)
    run_options = []
    if args.target == "vulkan":
        check_spirv(args, onnx_files[0])
        run_options = ["--vulkan-device", args.vulkan_device]

    passed = failed = 0
    for case in sorted(glob.glob(os.path.join(args.model, "cases", "*"))):
        name = os.path.basename(case)
        result_dir = os.path.join(args.work, name)
        os.makedirs(result_dir, exist_ok=True)
        inputs = sorted(glob.glob(os.path.join(case, "*.npy")))
        command = [args.edgec, "run", out, "--output-dir", result_dir, *run_options]
        for path in inputs:
            command += ["--input", f"{os.path.splitext(os.path.basename(path))[0]}={path}"]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: edgec run exited {run.returncode}: {run.stderr.strip()}")
            failed += 1
            continue
        ok = True
        expected_paths = sorted(glob.glob(os.path.join(case, "expected", "*.npy")))
        if not expected_paths:  # a case that compares nothing must not count as passed
            print(f"FAIL {name}: no expected outputs in {os.path.join(case, 'expected')}")
            ok = False
        for expected_path in expected_paths:
            expected = np.load(expected_path)
            got = np.load(os.path.join(result_dir, os.path.basename(expected_path)))
            if got.shape != expected.shape:
                print(f"FAIL {name}: {os.path.basename(expected_path)} shape {got.shape}, expected {expected.shape}")
                ok = False
                continue
            error = float(np.max(np.abs(got.astype(np.float64) - expected))) if got.size else 0.0
            scale = float(np.max(np.abs(expected))) if expected.size else 0.0
            good = error <= args.atol + args.rtol * scale
            ok &= good
            print(f"{'ok  ' if good else 'FAIL'} {name}: {os.path.basename(expected_path)} {got.shape} "
                  f"max abs error {error:.2e} (atol {args.atol:g}" + (f", rtol {args.rtol:g} of {scale:.3g})" if args.rtol else ")"))
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
