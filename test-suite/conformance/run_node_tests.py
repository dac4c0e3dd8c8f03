#!/usr/bin/python3
"""ONNX backend node tests (Debian's libonnx-testdata) through edgec, on the host.

Each test directory holds a one-node model.onnx and test_data_set_*/{input,output}_N.pb.
For the transformer-relevant ops (OPS below) this compiles the model with `edgec compile`,
runs every data set with `edgec run`, compares with the stored outputs and prints one line
per test (pass / wrong / unsupported / error) and the counts.

edgec needs shapes known at compile time up to named dims, so inputs that only set a
shape or an axis (Reshape's shape, Unsqueeze's axes, Slice's starts...: SHAPE_INPUTS) are
bound to the data set's values as initializers before compiling; the data inputs stay
graph inputs.

--expected FILE names the tests that must pass: the run fails if one of them does not
(a regression); tests that newly pass are reported so the list can grow (--update).
"""
import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

OPS = """Add Sub Mul Div Pow Sqrt Reciprocal Neg Exp Log Erf Tanh Sigmoid Sin Cos Abs Max Min Clip
Where Equal Greater Less GreaterOrEqual LessOrEqual And Or Not Cast Relu Identity Constant
Shape Size Reshape Flatten Squeeze Unsqueeze Expand Concat Split Slice Gather GatherElements
Transpose Tile Range ConstantOfShape Trilu ReduceMean ReduceSum ReduceMax CumSum MatMul Gemm
Softmax LogSoftmax LayerNormalization Gelu Einsum""".split()

# (op, input index) pairs that are shapes, axes or counts rather than data.
SHAPE_INPUTS = {
    "Reshape": {1}, "Expand": {1}, "Unsqueeze": {1}, "Squeeze": {1}, "Slice": {1, 2, 3, 4},
    "Tile": {1}, "ConstantOfShape": {0}, "Range": {0, 1, 2}, "Split": {1}, "ReduceMean": {1},
    "ReduceSum": {1}, "ReduceMax": {1}, "CumSum": {1}, "Trilu": {1},
}

RTOL, ATOL = 1e-3, 1e-5  # the tolerances of ONNX's own backend test runner (atol loosened for f32)


def load_pb(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return tensor


def relevant_tests(root):
    for directory in sorted(glob.glob(os.path.join(root, "test_*"))):
        path = os.path.join(directory, "model.onnx")
        if not os.path.exists(path):
            continue
        model = onnx.load(path)
        ops = {n.op_type for n in model.graph.node if n.domain in ("", "ai.onnx")}
        if ops and ops <= set(OPS) and any(n.op_type in OPS for n in model.graph.node):
            yield os.path.basename(directory), directory, model


def freeze_shape_inputs(model, data_set):
    """Moves shape-like graph inputs into initializers holding data_set's values."""
    frozen = {}
    for node in model.graph.node:
        for index in SHAPE_INPUTS.get(node.op_type, ()):
            if index < len(node.input) and node.input[index]:
                frozen[node.input[index]] = None
    inputs = [i for i in model.graph.input]
    names = [i.name for i in inputs]
    for position, name in enumerate(names):
        if name in frozen:
            tensor = load_pb(os.path.join(data_set, f"input_{position}.pb"))
            tensor.name = name
            model.graph.initializer.append(tensor)
    keep = [i for i in inputs if i.name not in frozen]
    del model.graph.input[:]
    model.graph.input.extend(keep)
    return [n for n in names if n not in frozen], names


def compare(got, want):
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        ok = np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=RTOL, atol=ATOL, equal_nan=True)
        return None if ok else f"max |diff| {np.nanmax(np.abs(got.astype(np.float64) - want)):.3g}"
    return None if np.array_equal(got, want.astype(got.dtype)) else "values differ"


def run_test(edgec, name, directory, model, work):
    """Returns (status, detail): pass, wrong, unsupported or error."""
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    data_sets = sorted(glob.glob(os.path.join(directory, "test_data_set_*")))
    if not data_sets:
        return "error", "no data sets"
    graph_inputs, all_names = freeze_shape_inputs(model, data_sets[0])
    model_path = os.path.join(out, "model.onnx")
    onnx.save(model, model_path)
    build = os.path.join(out, "build")
    compiled = subprocess.run([edgec, "compile", model_path, "-o", build, "--name", "model"],
                              capture_output=True, text=True)
    if compiled.returncode != 0:
        lines = (compiled.stderr.strip() or "compile failed").splitlines()
        return "unsupported", lines[-1][:160]
    outputs = [o.name for o in model.graph.output]
    for data_set in data_sets:
        os.makedirs(os.path.join(out, "result"), exist_ok=True)
        args = [edgec, "run", build, "--output-dir", os.path.join(out, "result")]
        for name_ in graph_inputs:
            position = all_names.index(name_)
            array = numpy_helper.to_array(load_pb(os.path.join(data_set, f"input_{position}.pb")))
            path = os.path.join(out, f"in{position}.npy")
            np.save(path, array)
            args += ["--input", f"{name_}={path}"]
        ran = subprocess.run(args, capture_output=True, text=True)
        if ran.returncode != 0:
            lines = (ran.stderr.strip() or "run failed").splitlines()
            return "error", lines[-1][:160]
        for k, output in enumerate(outputs):
            want = numpy_helper.to_array(load_pb(os.path.join(data_set, f"output_{k}.pb")))
            got = np.load(os.path.join(out, "result", f"{output}.npy"))
            problem = compare(got, want)
            if problem:
                return "wrong", f"{output}: {problem}"
    return "pass", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--testdata", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--work", required=True)
    parser.add_argument("--expected", help="file listing the tests that must pass")
    parser.add_argument("--update", action="store_true", help="rewrite --expected with today's passes")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--filter", default="", help="only tests whose name contains this")
    args = parser.parse_args()

    if not os.path.isdir(args.testdata):
        print(f"conformance: {args.testdata} not found (Debian package libonnx-testdata)")
        return 1
    tests = [t for t in relevant_tests(args.testdata) if args.filter in t[0]]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_test, args.edgec, name, d, m, args.work) for name, d, m in tests]
        results = {name: f.result() for (name, _, _), f in zip(tests, futures)}

    counts = {}
    for name in sorted(results):
        status, detail = results[name]
        counts[status] = counts.get(status, 0) + 1
        print(f"{status:12} {name:60} {detail}")
    total = len(results)
    passed = counts.get("pass", 0)
    print(f"\n{total} transformer-relevant node tests: " +
          ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pass", "wrong", "unsupported", "error")) +
          f" ({100.0 * passed / max(total, 1):.1f}% pass)")

    if not args.expected:
        return 0
    passing = sorted(n for n, (s, _) in results.items() if s == "pass")
    if args.update:
        with open(args.expected, "w") as f:
            f.write("# Backend node tests edgec passes (test-suite/conformance/run_node_tests.py --update).\n")
            f.write("".join(n + "\n" for n in passing))
        print(f"wrote {len(passing)} names to {args.expected}")
        return 0
    with open(args.expected) as f:
        expected = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    regressions = [n for n in expected if n in results and results[n][0] != "pass"]
    missing = [n for n in expected if n not in results]
    new = [n for n in passing if n not in expected]
    if new:
        print(f"newly passing (add with --update): {' '.join(new)}")
    for n in regressions:
        print(f"REGRESSION: {n}: {results[n][0]} {results[n][1]}")
    for n in missing:
        print(f"REGRESSION: {n}: no longer found or no longer relevant")
    return 1 if regressions or missing else 0


if __name__ == "__main__":
    sys.exit(main())
