#!/usr/bin/python3
"""Quantization quality on the trained KJV model (test-suite/models/kjv): perplexity on the
held-out text and top-1 agreement with the f32 build, for every weight format and the
int8 KV cache, measured through edgec's own runtime (`edgec run --perplexity`).

    quant_quality.py --edgec build/tools/edgec/edgec [--work DIR] [--target T] [--check]

Prints a Markdown table (the README's). With --check, exits 1 unless the quality bars hold:
q8_0 perplexity within 0.5% of f32, q4_0 within 5%; top-1 agreement with f32 >= 99% for
q8_0 and >= 90% for q4_0; weights file size <= 0.27 (q8_0) and <= 0.15 (q4_0) of the f32
file's.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "kjv")

# (row label, --quant, extra run options)
BUILDS = [("f32", "none", []), ("q8_0", "q8_0", []), ("q4_0", "q4_0", []), ("q4_1", "q4_1", []),
          ("mixed", "mixed", []), ("f32, int8 KV", "none", ["--kv-int8"]), ("q4_0, int8 KV", "q4_0", ["--kv-int8"])]


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"quant_quality.py: {' '.join(command)} failed:\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", default="/tmp/edgec-quant-quality")
    parser.add_argument("--target", default="host")
    parser.add_argument("--window", type=int, default=128)
    parser.add_argument("--model", default=MODEL, help="folder with kjv.onnx, tokenizer.json, heldout.txt")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    rows, f32, compiled = [], None, set()
    for label, quant, extra in BUILDS:
        out = os.path.join(args.work, quant)
        if quant not in compiled:
            compiled.add(quant)
            run([args.edgec, "compile", os.path.join(args.model, "kjv.onnx"), "-o", out, "--target", args.target,
                 "--quant", quant, "--quant-report", os.path.join(out, "report.txt")])
        predictions = os.path.join(args.work, label.replace(", ", "_").replace(" ", "_") + ".predictions")
        result = json.loads(run([args.edgec, "run", out, "--perplexity", os.path.join(args.model, "heldout.txt"),
                                 "--tokenizer", os.path.join(args.model, "tokenizer.json"), "--window", str(args.window),
                                 "--predictions", predictions, "--json", *extra]))
        with open(predictions) as f:
            result["top1"] = [int(x) for x in f.read().strip().split(",")]
        result["bytes"] = os.path.getsize(os.path.join(out, "kjv.weights"))
        result["label"] = label
        if f32 is None:
            f32 = result
        rows.append(result)

    print(f"Held-out text: {f32['tokens']} tokens of test-suite/models/kjv/heldout.txt, windows of "
          f"{f32['window']} tokens ({f32['predictions']} predictions), target {args.target}.\n")
    print("| build | weights | size vs f32 | perplexity | vs f32 | top-1 agreement with f32 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        agree = sum(a == b for a, b in zip(r["top1"], f32["top1"])) / len(f32["top1"])
        r["agreement"], r["ratio"] = agree, r["bytes"] / f32["bytes"]
        r["delta"] = r["perplexity"] / f32["perplexity"] - 1
        print(f"| {r['label']} | {r['bytes'] / 1e6:.2f} MB | {r['ratio']:.3f} | {r['perplexity']:.3f} | "
              f"{100 * r['delta']:+.2f}% | {100 * agree:.2f}% |")

    if args.check:
        by = {r["label"]: r for r in rows}
        failures = []
        for label, max_delta, min_agree, max_ratio in (("q8_0", 0.005, 0.99, 0.27), ("q4_0", 0.05, 0.90, 0.15)):
            r = by[label]
            if abs(r["delta"]) > max_delta:
                failures.append(f"{label}: perplexity {100 * r['delta']:+.2f}% from f32 (limit {100 * max_delta}%)")
            if r["agreement"] < min_agree:
                failures.append(f"{label}: top-1 agreement {100 * r['agreement']:.2f}% (needs {100 * min_agree}%)")
            if r["ratio"] > max_ratio:
                failures.append(f"{label}: weights {r['ratio']:.3f} of f32 (limit {max_ratio})")
        for failure in failures:
            print("FAIL " + failure, file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
