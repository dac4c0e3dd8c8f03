#!/usr/bin/python3
"""Bad input at run time: every case must end with exit status 1 and one error line,
never a crash. (Compile-time bad input is covered by tests/lit/compiler/import/errors.test.)

    bad_inputs.py --edgec EDGEC --models test-suite/models --work DIR
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    mlp = os.path.join(args.work, "mlp")
    encoder = os.path.join(args.work, "encoder")
    for name, out in (("mlp", mlp), ("encoder", encoder)):
        subprocess.run([args.edgec, "compile", os.path.join(args.models, name, f"{name}.onnx"), "-o", out], check=True)
    x = os.path.join(args.models, "mlp", "cases", "batch3", "x.npy")
    weights = os.path.join(mlp, "mlp.weights")
    pristine = open(weights, "rb").read()

    def restore():
        with open(weights, "wb") as f:
            f.write(pristine)

    def truncate():
        with open(weights, "wb") as f:
            f.write(pristine[: len(pristine) // 2])

    def foreign():
        shutil.copy(os.path.join(encoder, "encoder.weights"), weights)

    wrong_shape = os.path.join(args.work, "wrong_shape.npy")
    np.save(wrong_shape, np.zeros((3, 32), np.float32))
    wrong_dtype = os.path.join(args.work, "wrong_dtype.npy")
    np.save(wrong_dtype, np.zeros((3, 64), np.int64))
    garbage = os.path.join(args.work, "garbage.npy")
    with open(garbage, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\xff\xff{'descr'")

    cases = [
        ("truncated weights", truncate, ["--input", f"x={x}"], "truncated"),
        ("weights of another model", foreign, ["--input", f"x={x}"], "belongs to another model"),
        ("wrong input shape", None, ["--input", f"x={wrong_shape}"], "input 'x': dim 1 is 32, expected 64"),
        ("wrong input dtype", None, ["--input", f"x={wrong_dtype}"], "input 'x': dtype i64, expected f32"),
        ("corrupt .npy", None, ["--input", f"x={garbage}"], "garbage.npy"),
        ("missing input", None, [], "missing --input x"),
        ("unknown input name", None, ["--input", f"nope={x}"], "has no such input"),
        ("no compiled model", None, [], "no compiled model"),
    ]
    passed = failed = 0
    for title, damage, extra, expected in cases:
        restore()
        if damage:
            damage()
        folder = args.work if title == "no compiled model" else mlp
        run = subprocess.run([args.edgec, "run", folder, "--output-dir", args.work] + extra,
                             capture_output=True, text=True)
        lines = run.stderr.strip().splitlines()
        ok = run.returncode == 1 and len(lines) == 1 and expected in lines[0]
        print(f"{'ok  ' if ok else 'FAIL'} {title}: exit {run.returncode}: {run.stderr.strip()}")
        passed += ok
        failed += not ok
    restore()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
