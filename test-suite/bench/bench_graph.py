#!/usr/bin/python3
"""Side-by-side benchmark: edgec against ONNX Runtime on the same model, same inputs, same
machine, one run. Prints one row per (model, batch): best latency of each, the speed-up,
GFLOP/s, the weight bytes streamed per second (the bound for batch 1), and the largest
difference between the two outputs (ONNX Runtime as the independent reference).

    bench_graph.py --edgec EDGEC --work DIR [--ort-dir DIR] [--threads N] [--repeat N]

Models are generated here (python3-onnx): a 2-layer MLP of transformer FFN size (1024 ->
4096 -> 1024, GELU), and the test-suite's encoder layer. edgec's code runs on one thread;
ONNX Runtime is pinned to --threads (default 1) intra-op threads to compare like with like;
edgec compiles with --cpu native, as ONNX Runtime picks the host's kernels at run time.
The weights (32 MiB) are re-read from a warm cache across repetitions on hosts with a
large L3, so batch 1 shows cache, not DRAM, bandwidth there.
"""
import argparse
import math
import os
import re
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

HERE = os.path.dirname(os.path.abspath(__file__))


def make_ffn(path, d=1024, h=4096):
    rng = np.random.default_rng(0)
    w1 = (rng.standard_normal((d, h)) / math.sqrt(d)).astype(np.float32)
    w2 = (rng.standard_normal((h, d)) / math.sqrt(h)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Div", ["h", "sqrt2"], ["g0"]), helper.make_node("Erf", ["g0"], ["g1"]),
             helper.make_node("Add", ["g1", "one"], ["g2"]), helper.make_node("Mul", ["h", "g2"], ["g3"]),
             helper.make_node("Mul", ["g3", "half"], ["g"]),
             helper.make_node("MatMul", ["g", "w2"], ["y"])]
    scalars = [numpy_helper.from_array(np.array(v, np.float32), n) for n, v in
               (("sqrt2", math.sqrt(2)), ("one", 1.0), ("half", 0.5))]
    graph = helper.make_graph(nodes, "ffn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", d])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", d])],
                              [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")] + scalars)
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return 2 * d * h * 4, lambda batch: 2 * 2 * batch * d * h  # weight bytes, flops(batch)


def best_ms(output):
    match = re.search(r"best ([0-9.]+) ms", output)
    if not match:
        raise RuntimeError(f"no timing in: {output}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--ort-dir", help="folder holding node_modules/onnxruntime-node")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(1)

    ffn = os.path.join(args.work, "ffn.onnx")
    weight_bytes, flops = make_ffn(ffn)
    encoder = os.path.join(HERE, "..", "models", "encoder", "encoder.onnx")
    cases = [("ffn 1024-4096-1024", ffn, "x", lambda b: rng.standard_normal((b, 1024)).astype(np.float32),
              (1, 8, 64), weight_bytes, flops),
             ("encoder layer (seq)", encoder, "ids", lambda b: rng.integers(0, 100, (1, b)).astype(np.int64),
              (16, 128), None, None)]
    node_env = dict(os.environ)
    if args.ort_dir:
        node_env["NODE_PATH"] = os.path.join(args.ort_dir, "node_modules")
    have_ort = subprocess.run(["node", "-e", "require('onnxruntime-node')"], env=node_env,
                              capture_output=True).returncode == 0 if args.ort_dir else False

    print(f"{'model':22} {'batch':>5} {'edgec ms':>9} {'ORT ms':>9} {'speed-up':>8} {'GFLOP/s':>8} {'weights GB/s':>12} {'max |diff|':>10}")
    for title, model, input_name, make_input, batches, wbytes, flop_fn in cases:
        out = os.path.join(args.work, os.path.splitext(os.path.basename(model))[0])
        # --cpu native: ONNX Runtime also picks the host's best kernels at run time.
        subprocess.run([args.edgec, "compile", model, "-o", out, "--cpu", "native"], check=True)
        for batch in batches:
            x = os.path.join(args.work, f"{input_name}_{batch}.npy")
            np.save(x, make_input(batch))
            run = subprocess.run([args.edgec, "run", out, "--input", f"{input_name}={x}", "--output-dir", out,
                                  "--repeat", str(args.repeat)], capture_output=True, text=True, check=True)
            edgec_ms = best_ms(run.stdout)
            ort_ms, diff = float("nan"), float("nan")
            if have_ort:
                ort_out = os.path.join(args.work, "ort")
                os.makedirs(ort_out, exist_ok=True)
                ort = subprocess.run(["node", os.path.join(HERE, "ort_run.js"), model, ort_out, str(args.repeat),
                                      str(args.threads), f"{input_name}={x}"], capture_output=True, text=True,
                                     env=node_env, check=True)
                ort_ms = best_ms(ort.stdout)
                name = "y" if input_name == "x" else "hidden"
                diff = float(np.abs(np.load(os.path.join(out, f"{name}.npy")) -
                                    np.load(os.path.join(ort_out, f"{name}.npy"))).max())
            gflops = f"{flop_fn(batch) / edgec_ms / 1e6:8.1f}" if flop_fn else f"{'':8}"
            gbs = f"{wbytes / edgec_ms / 1e6:12.1f}" if wbytes else f"{'':12}"
            print(f"{title:22} {batch:5d} {edgec_ms:9.3f} {ort_ms:9.3f} {ort_ms / edgec_ms:7.2f}x {gflops} {gbs} {diff:10.2e}")
    if not have_ort:
        print("(ONNX Runtime not found: pass --ort-dir with node_modules/onnxruntime-node to compare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
