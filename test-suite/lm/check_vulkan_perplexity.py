"""Scoring on Vulkan equals scoring on the host: the KJV model's held-out perplexity.

The trained KJV model (test-suite/models/kjv) is compiled for the host and with --target
vulkan, f32 and q8_0; `edgec run --perplexity` scores the first 400 held-out tokens in
windows of 128 (edge_lm_score: every position's logits, chunked through the paged KV
cache). The Vulkan builds must give the host builds' mean negative log-likelihood:
  - f32 within 2e-6 (rounding of a different summation order) with the same top-1
    prediction at every position;
  - q8_0 within 1e-3 with at least 99% of the top-1 predictions the same. Both targets
    quantize every matmul's inputs to int8, and a rounding-level difference upstream
    flips an int8 value now and then: two host builds of the same model (paged KV and
    past/present) differ by ~1e-4 in this figure as well. A kernel that read a wrong row,
    block or scale is off by more than 1e-2.
"""
import argparse
import json
import os
import subprocess
import sys

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "kjv")


def score(edgec, compiled, predictions, extra):
    command = [edgec, "run", compiled, "--perplexity", os.path.join(MODEL, "heldout.txt"), "--tokenizer",
               os.path.join(MODEL, "tokenizer.json"), "--max-tokens", "400", "--json", "--predictions", predictions]
    result = subprocess.run(command + extra, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command + extra)} failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1]), open(predictions).read().split(",")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--vulkan-device", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    for quant in ["f32", "q8_0"]:
        results = {}
        for target in ["host", "vulkan"]:
            compiled = os.path.join(args.work, f"{quant}-{target}")
            command = [args.edgec, "compile", os.path.join(MODEL, "kjv.onnx"), "-o", compiled, "--target", target]
            subprocess.run(command + ([] if quant == "f32" else ["--quant", quant]), check=True)
            extra = ["--vulkan-device", args.vulkan_device] if target == "vulkan" else []
            results[target] = score(args.edgec, compiled, os.path.join(args.work, f"{quant}-{target}.txt"), extra)
        (host, host_top), (device, device_top) = results["host"], results["vulkan"]
        difference = abs(host["nll"] - device["nll"])
        same = sum(a == b for a, b in zip(host_top, device_top))
        bound, agreement = (2e-6, 1.0) if quant == "f32" else (1e-3, 0.99)
        good = (difference <= bound and same >= agreement * len(host_top) and len(host_top) == len(device_top) and
                host["predictions"] == device["predictions"])
        failures += not good
        print(f"{'ok  ' if good else 'FAIL'} {quant}: {device['predictions']} predictions, nll {device['nll']:.6f} on "
              f"Vulkan vs {host['nll']:.6f} on the host (|difference| {difference:.1e}, bound {bound:.0e}), "
              f"{same} of {len(host_top)} top-1 predictions equal (at least {agreement:.0%})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
