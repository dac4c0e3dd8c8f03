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
    llama = os.path.join(args.work, "llama")
    for name, out in (("mlp", mlp), ("encoder", encoder), ("llama", llama)):
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

    def flip_data_byte():  # the last byte of the file is the last tensor's
        with open(weights, "wb") as f:
            f.write(pristine[:-1] + bytes([pristine[-1] ^ 0x40]))

    wrong_shape = os.path.join(args.work, "wrong_shape.npy")
    np.save(wrong_shape, np.zeros((3, 32), np.float32))
    wrong_dtype = os.path.join(args.work, "wrong_dtype.npy")
    np.save(wrong_dtype, np.zeros((3, 64), np.int64))
    garbage = os.path.join(args.work, "garbage.npy")
    with open(garbage, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\xff\xff{'descr'")
    # A shape whose byte count wraps (2^62 x 64 x 4 = 2^70) and no data.
    huge = os.path.join(args.work, "huge.npy")
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 64), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    with open(huge, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)

    # A header that promises more data than the file holds (3 x 64 floats, 10 bytes).
    short = os.path.join(args.work, "short.npy")
    np.save(short, np.zeros((3, 64), np.float32))
    with open(short, "r+b") as f:
        f.truncate(os.path.getsize(short) - 3 * 64 * 4 + 10)

    cases = [
        ("truncated weights", truncate, ["--input", f"x={x}"], "truncated"),
        ("weights of another model", foreign, ["--input", f"x={x}"], "belongs to another model"),
        ("a flipped bit in the weights' data", flip_data_byte, ["--input", f"x={x}"], "checksum mismatch"),
        ("wrong input shape", None, ["--input", f"x={wrong_shape}"], "input 'x': dim 1 is 32, expected 64"),
        ("wrong input dtype", None, ["--input", f"x={wrong_dtype}"], "input 'x': dtype i64, expected f32"),
        ("corrupt .npy", None, ["--input", f"x={garbage}"], "garbage.npy"),
        ("a .npy shape whose size wraps", None, ["--input", f"x={huge}"], "huge.npy: shape too large"),
        ("a .npy shorter than its shape", None, ["--input", f"x={short}"],
         "short.npy: expected 768 bytes of data, the file holds 10"),
        ("missing input", None, [], "missing --input x"),
        ("unknown input name", None, ["--input", f"nope={x}"], "has no such input"),
        ("no compiled model", None, [], "no compiled model"),
        # Causal-LM options: counts are whole numbers that fit, the KV dtypes exclusive.
        ("--max-tokens past 32 bits", None, ["--prompt-ids", "1,2", "--max-tokens", "99999999999"],
         "--max-tokens: expected a whole number up to 4294967295: 99999999999"),
        ("--max-tokens not whole", None, ["--prompt-ids", "1,2", "--max-tokens", "2.5"],
         "--max-tokens: expected a whole number up to 4294967295: 2.5"),
        ("--kv-f16 with --kv-int8", None, ["--prompt-ids", "1,2", "--kv-f16", "--kv-int8"],
         "--kv-f16 and --kv-int8 are exclusive"),
        ("--window 0", None, ["--perplexity", x, "--window", "0"],
         "--window: expected a whole number from 2 to 1073741824: 0"),
        # The test Llama's rotary tables hold 256 positions.
        ("generating past the model's positions", None, ["--prompt-ids", "1,2", "--max-tokens", "300"],
         "context overflow: 0 session tokens + 2 prompt tokens + 300 max_tokens = 302 exceeds max_context 256 "
         "(the positions of the model)"),
        ("--max-context past the model's positions", None, ["--prompt-ids", "1,2", "--max-context", "512"],
         "max_context 512 exceeds the 256 positions model 'llama' holds"),
        ("graph inputs given to a causal LM", None, ["--input", f"x={x}", "--lm"],
         "--input: model 'llama' is a causal LM compiled for the paged KV cache; it generates from --prompt-ids "
         "or --prompt (compile with --paged-kv off to run the graph on its inputs)"),
        ("--repeat -1", None, ["--input", f"x={x}", "--repeat", "-1"],
         "--repeat: expected a whole number from 1 to 1000000: -1"),
    ]
    passed = failed = 0
    for title, damage, extra, expected in cases:
        restore()
        if damage:
            damage()
        lm_run = "--prompt-ids" in extra or "--perplexity" in extra or "--lm" in extra
        extra = [arg for arg in extra if arg != "--lm"]  # --lm: run the causal LM with these options
        folder = args.work if title == "no compiled model" else llama if lm_run else mlp
        output = [] if folder == llama else ["--output-dir", args.work]
        run = subprocess.run([args.edgec, "run", folder] + output + extra, capture_output=True, text=True)
        lines = run.stderr.strip().splitlines()
        ok = run.returncode == 1 and len(lines) == 1 and expected in lines[0]
        print(f"{'ok  ' if ok else 'FAIL'} {title}: exit {run.returncode}: {run.stderr.strip()}")
        passed += ok
        failed += not ok
    # --no-verify-weights skips the checksums (the damage then goes unnoticed).
    restore()
    flip_data_byte()
    run = subprocess.run([args.edgec, "run", mlp, "--output-dir", args.work, "--input", f"x={x}",
                          "--no-verify-weights"], capture_output=True, text=True)
    ok = run.returncode == 0
    print(f"{'ok  ' if ok else 'FAIL'} --no-verify-weights runs damaged weights: exit {run.returncode}: "
          f"{run.stderr.strip()}")
    passed += ok
    failed += not ok
    restore()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
