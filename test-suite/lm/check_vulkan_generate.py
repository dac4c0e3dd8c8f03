"""Greedy generation on Vulkan equals generation on the host CPU, token for token.

The Llama-style model is compiled for the host and with --target vulkan, with f32, q8_0
and q4_0 weights; each pair generates 64 tokens for the prompts of generate.json:
  - all sessions at once, prompts prefilled in chunks of 3 with 4-token KV pages (every
    step mixes sessions, chunks and page boundaries in the KV arena);
  - the prompts sharing a prefix forked from one prefill of it (pages shared, then
    copied on write in device memory);
  - with a sliding window of 24 positions (pages evicted as sessions grow);
  - with f16 and with int8 KV caches (rows stored and read in the pool's format).
The f32 builds must also equal ONNX Runtime's reference (generate.json). Any difference
fails, naming the build, the session and the first differing token. Every kernel of each
Vulkan build passes spirv-val for Vulkan 1.1. The Vulkan runs use the device named by
--vulkan-device (lavapipe in the test suite).
"""
import argparse
import json
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_generate  # noqa: E402  run() greedy sessions as JSON; compare() names the first differing token

check_generate.MAX_TOKENS = 64
run, compare = check_generate.run, check_generate.compare


def validate_spirv(edgec, onnx, quant, folder):
    command = [edgec, "compile", onnx, "-o", folder, "--target", "vulkan", "--emit", "spirv"]
    subprocess.run(command + ([] if quant == "f32" else ["--quant", quant]), check=True)
    modules = sorted(glob.glob(os.path.join(folder, "*.spv")))
    bad = [m for m in modules if subprocess.run([shutil.which("spirv-val"), "--target-env", "vulkan1.1", m]).returncode]
    for module in bad:
        print(f"FAIL {quant}: {os.path.basename(module)} does not pass spirv-val --target-env vulkan1.1")
    if modules and not bad:
        print(f"ok   {quant}: {len(modules)} kernels pass spirv-val --target-env vulkan1.1")
    return len(bad) + (0 if modules else 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--model", required=True, help="folder with one .onnx and generate.json")
    parser.add_argument("--vulkan-device", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    reference = json.load(open(os.path.join(args.model, "generate.json")))
    prompts = [r["prompt_ids"] for r in reference["results"]]
    onnx = os.path.join(args.model, [f for f in os.listdir(args.model) if f.endswith(".onnx")][0])
    base = max(prompts[:4], key=len)
    family = [p for p in prompts if p[:len(base)] == base]
    modes = [
        ("concurrent, chunks of 3, 4-token pages", prompts, ["--prefill-chunk", "3", "--kv-page-tokens", "4"]),
        ("forked from a shared prefix", family, ["--fork-prefix", str(len(base)), "--kv-page-tokens", "4"]),
        ("sliding window of 24", prompts, ["--sliding-window", "24", "--kv-page-tokens", "4"]),
        ("f16 KV cache", prompts, ["--kv-f16", "--prefill-chunk", "5"]),
        ("int8 KV cache", prompts, ["--kv-int8", "--prefill-chunk", "5"]),
    ]

    failures = 0
    for quant in ["f32", "q8_0", "q4_0"]:
        builds = {}
        for target in ["host", "vulkan"]:
            compiled = os.path.join(args.work, f"{quant}-{target}")
            command = [args.edgec, "compile", onnx, "-o", compiled, "--target", target]
            if quant != "f32":
                command += ["--quant", quant]
            subprocess.run(command, check=True)
            builds[target] = compiled
        failures += validate_spirv(args.edgec, onnx, quant, os.path.join(args.work, f"{quant}-spirv"))
        for label, mode_prompts, extra in modes:
            host = run(args.edgec, builds["host"], mode_prompts, extra)
            device = run(args.edgec, builds["vulkan"], mode_prompts,
                         extra + ["--vulkan-device", args.vulkan_device])
            if device and device[0].get("device") in (None, "cpu"):
                print(f"FAIL {quant}: the Vulkan build ran on {device[0].get('device')}")
                failures += 1
            failures += compare(f"{quant}, {label}: Vulkan vs host", device, host)
            if quant == "f32" and label.startswith(("concurrent", "forked")):
                want = [r for r in reference["results"] if r["prompt_ids"] in mode_prompts]
                failures += compare(f"{quant}, {label}: Vulkan vs ONNX Runtime", device, want)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
