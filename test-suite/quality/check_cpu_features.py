#!/usr/bin/python3
"""Proves that `--cpu` picks the quantized-matmul instructions, rather than assuming it.

    check_cpu_features.py --edgec build/tools/edgec/edgec --work DIR [--tokens 256]

Compiles the trained KJV model at q4_0 for aarch64 twice and checks, with llvm-objdump,
that the model library built for a Cortex-A76 (dotprod, no i8mm) contains `sdot` and no
`smmla`, and the one built for a Neoverse N2 (i8mm) contains `smmla`. Then it runs both
under qemu-aarch64 — the Cortex-A76 build on qemu's Cortex-A76 model, which traps on i8mm
instructions, the N2 build on qemu's default CPU — and requires each one's perplexity on
the start of the held-out text to be within 1% of the host build's. Finally the N2 build
must die of SIGILL on the Cortex-A76 model: the check above would catch a build that
ran i8mm code on a CPU without it.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "kjv")
OBJDUMP = "/usr/lib/llvm-22/bin/llvm-objdump"
QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"check_cpu_features.py: {' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def perplexity_args(tokens):
    return ["--perplexity", os.path.join(MODEL, "heldout.txt"), "--tokenizer", os.path.join(MODEL, "tokenizer.json"),
            "--max-tokens", str(tokens), "--json"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--tokens", type=int, default=256)
    args = parser.parse_args()
    failures = []
    model = os.path.join(MODEL, "kjv.onnx")

    host = os.path.join(args.work, "host")
    run([args.edgec, "compile", model, "-o", host, "--quant", "q4_0"])
    reference = json.loads(run([args.edgec, "run", host, *perplexity_args(args.tokens)]))["perplexity"]
    print(f"host q4_0: perplexity {reference:.4f}")

    builds = {}
    for cpu, qemu_cpu, want_smmla in (("cortex-a76", "cortex-a76", False), ("neoverse-n2", "max", True)):
        out = os.path.join(args.work, cpu)
        run([args.edgec, "compile", model, "-o", out, "--target", "aarch64-linux-gnu", "--cpu", cpu, "--quant", "q4_0"])
        listing = run([OBJDUMP, "-d", os.path.join(out, "libkjv.a")])
        sdot, smmla = listing.count("\tsdot\t"), listing.count("\tsmmla\t")
        print(f"{cpu}: {sdot} sdot, {smmla} smmla in libkjv.a")
        if sdot == 0:
            failures.append(f"{cpu}: no sdot in the model library")
        if (smmla > 0) != want_smmla:
            failures.append(f"{cpu}: smmla {'missing' if want_smmla else 'present'} in the model library")
        run([args.edgec, "run", out, "--max-tokens", "1", "--prompt-ids", "1"])  # links OUT/kjv-run-aarch64
        runner = [os.path.join(out, "kjv-run-aarch64"), os.path.join(out, "kjv.weights")]
        builds[cpu] = runner
        got = json.loads(run([*QEMU, "-cpu", qemu_cpu, *runner, *perplexity_args(args.tokens)]))["perplexity"]
        print(f"{cpu} on qemu -cpu {qemu_cpu}: perplexity {got:.4f}")
        if abs(got / reference - 1) > 0.01:
            failures.append(f"{cpu}: perplexity {got:.4f} is not within 1% of the host's {reference:.4f}")

    trapped = subprocess.run([*QEMU, "-cpu", "cortex-a76", *builds["neoverse-n2"], *perplexity_args(16)],
                             capture_output=True, text=True)
    print(f"neoverse-n2 build on qemu -cpu cortex-a76: exit {trapped.returncode}")
    if trapped.returncode == 0:
        failures.append("the i8mm build ran on a Cortex-A76 model: qemu does not trap on i8mm, the check proves nothing")
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
