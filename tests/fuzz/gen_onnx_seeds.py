#!/usr/bin/python3
"""Writes tests/fuzz/corpus/onnx: small ONNX models to start the importer's fuzzer from.

    gen_onnx_seeds.py [OUT_DIR]        (Debian's python3-onnx and python3-torch)

Each is a few KB so that mutations stay fast: an MLP with inline weights and one with its
weights in weights.bin beside the model (the file fuzz_onnx.cpp writes: float i / 64 at
index i), exporter-style shape arithmetic, the contrib block, MatMulNBits and blocked
DequantizeLinear of test-suite/models at tiny sizes, and torch exports of the test Llama
and GPT-2 with one layer of width 16. Run with /usr/bin/python3.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "test-suite", "models")
sys.path.insert(0, MODELS)
F, I64 = TensorProto.FLOAT, TensorProto.INT64
rng = np.random.default_rng(23)


def external(name, shape, offset):
    """A float tensor whose data is weights.bin[offset : offset + size]."""
    tensor = TensorProto(name=name, data_type=F, dims=shape)
    tensor.data_location = TensorProto.EXTERNAL
    size = int(np.prod(shape)) * 4
    for key, value in (("location", "weights.bin"), ("offset", str(offset)), ("length", str(size))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def mlp(external_data):
    if external_data:
        inits = [external("w", [4, 4], 64), external("b", [4], 0)]
    else:
        inits = [numpy_helper.from_array(rng.standard_normal((4, 4)).astype(np.float32), "w"),
                 helper.make_tensor("b", F, [4], [0.5, -0.5, 0.25, 0.0])]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="matmul"),
             helper.make_node("Add", ["h", "b"], ["a"], name="bias"),
             helper.make_node("Relu", ["a"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", F, ["batch", 4])],
                              [helper.make_tensor_value_info("y", F, ["batch", 4])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def shapes():
    """Shape → Gather → Unsqueeze → Concat → Reshape, as exporters write it, and friends."""
    c = lambda name, values: numpy_helper.from_array(np.array(values, dtype=np.int64), name)
    inits = [c("zero", 0), c("one", [1]), c("minus_one", [-1]), c("axes", [0]), c("starts", [0]), c("ends", [2]),
             numpy_helper.from_array(np.array(1.5, dtype=np.float32), "scale")]
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"]),
        helper.make_node("Concat", ["batch1", "minus_one"], ["flat_shape"], axis=0),
        helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
        helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]),
        helper.make_node("Softmax", ["xt"], ["soft"], axis=-1),
        helper.make_node("ReduceMean", ["soft"], ["mean"], keepdims=1, axes=[2]),
        helper.make_node("Mul", ["mean", "scale"], ["scaled"]),
        helper.make_node("Slice", ["shape", "starts", "ends"], ["head"]),
        helper.make_node("ConstantOfShape", ["head"], ["zeros"], value=helper.make_tensor("v", F, [1], [0.0])),
        helper.make_node("Range", ["zero", "batch", "one_scalar"], ["steps"]),
        helper.make_node("Cast", ["steps"], ["steps_f"], to=F),
        helper.make_node("Equal", ["flat", "flat"], ["same"]),
        helper.make_node("Where", ["same", "flat", "flat"], ["picked"]),
        helper.make_node("Expand", ["scale", "head"], ["expanded"]),
    ]
    inits.append(c("one_scalar", 1))
    outs = [helper.make_tensor_value_info(n, F, None) for n in ("picked", "scaled", "zeros", "steps_f", "expanded")]
    graph = helper.make_graph(nodes, "shapes", [helper.make_tensor_value_info("x", F, ["batch", 3, 5])], outs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def contrib():
    import gen_contrib
    gen_contrib.HIDDEN, gen_contrib.HEADS, gen_contrib.KV_HEADS, gen_contrib.HEAD = 8, 2, 1, 4
    return gen_contrib.build()


def matmulnbits():
    import gen_matmulnbits as g
    inits = []
    nodes = [g.nbits("up", "x", "y", 32, 4, 32, True, inits),
             g.nbits("down", "x", "z", 32, 2, 16, False, inits, bias=np.ones(2, np.float32))]
    graph = helper.make_graph(nodes, "matmulnbits", [helper.make_tensor_value_info("x", F, [1, "sequence", 32])],
                              [helper.make_tensor_value_info("y", F, [1, "sequence", 4]),
                               helper.make_tensor_value_info("z", F, [1, "sequence", 2])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(g.MS, 1)])


def dq_blocked():
    import gen_dq_blocked as g
    inits, nodes, outputs = [], [], []
    for out, (k, n, block, kind, zero_points) in zip("ab", [(32, 2, 32, "int8", False), (32, 4, 16, "int4", True)]):
        nodes.append(g.blocked(f"w_{out}", k, n, block, kind, zero_points, inits))
        nodes.append(helper.make_node("MatMul", ["x", f"w_{out}.w"], [out], name=f"matmul_{out}"))
        outputs.append(helper.make_tensor_value_info(out, F, [1, "sequence", n]))
    graph = helper.make_graph(nodes, "dq_blocked", [helper.make_tensor_value_info("x", F, [1, "sequence", 32])],
                              outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)


def decoders(out_dir):
    import torch
    import gen_transformers as g
    g.VOCAB, g.HIDDEN, g.LAYERS, g.HEADS, g.LLAMA_POSITIONS = 16, 16, 1, 2, 16
    g.HEAD = g.HIDDEN // g.HEADS

    def export(name, model, args, input_names, output_names, dynamic_axes, opset, cases):
        model.eval()
        torch.onnx.export(model, args, os.path.join(out_dir, name + ".onnx"), input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, opset_version=opset)
    g.export = export
    torch.manual_seed(0)
    g.decoder("llama", g.Llama(), g.LlamaLayer.KV_HEADS, True, 17)
    g.decoder("gpt2", g.Gpt2(), g.HEADS, False, 14)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    for name, model in (("mlp_inline", mlp(False)), ("mlp_external", mlp(True)), ("shapes", shapes()),
                        ("contrib", contrib()), ("matmulnbits", matmulnbits()), ("dq_blocked", dq_blocked())):
        save(model, os.path.join(out_dir, name + ".onnx"))
    decoders(out_dir)
    for name in sorted(os.listdir(out_dir)):
        print(f"{name}: {os.path.getsize(os.path.join(out_dir, name))} bytes")


if __name__ == "__main__":
    main()
