#!/usr/bin/python3
"""Generates encoder/: one BERT-style encoder layer over a dynamic sequence length.

    ids[1, seq] -> Gather(token embedding) -> LayerNorm -> multi-head self-attention
    (4 heads of 16, Q/K/V MatMul+Add, Reshape/Transpose, Softmax(QK^T/sqrt(d)) V)
    -> output projection + residual -> LayerNorm -> FFN 64->128->64 with GELU(erf)
    -> residual -> LayerNorm -> hidden[1, seq, 64]

LayerNorm is spelled with primitive ops (ReduceMean, Sub, Pow, Add, Sqrt, Div, Mul, Add),
as exporters emit it before opset 17. Cases for seq 1, 5 and 11 with float64 numpy
references. Run with Debian's /usr/bin/python3.
"""
import math
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "encoder")
rng = np.random.default_rng(7)
VOCAB, HIDDEN, HEADS, FFN = 100, 64, 4, 128
HEAD = HIDDEN // HEADS

params = {}
def param(name, shape, scale):
    params[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return name

nodes, inits = [], []
def node(op, inputs, outputs, **attrs):
    nodes.append(helper.make_node(op, inputs, outputs, name=f"/{outputs[0]}/{op}", **attrs))
    return outputs[0]
def const(name, value, dtype=np.float32):
    inits.append(numpy_helper.from_array(np.array(value, dtype=dtype), name))
    return name

def layer_norm(x, prefix):
    g = param(f"{prefix}.weight", (HIDDEN,), 0.2); params[g] += 1.0
    b = param(f"{prefix}.bias", (HIDDEN,), 0.1)
    mean = node("ReduceMean", [x], [f"{prefix}_mean"], axes=[-1])
    centered = node("Sub", [x, mean], [f"{prefix}_centered"])
    square = node("Pow", [centered, const(f"{prefix}_two", 2.0)], [f"{prefix}_square"])
    var = node("ReduceMean", [square], [f"{prefix}_var"], axes=[-1])
    eps = node("Add", [var, const(f"{prefix}_eps", 1e-5)], [f"{prefix}_var_eps"])
    std = node("Sqrt", [eps], [f"{prefix}_std"])
    normed = node("Div", [centered, std], [f"{prefix}_normed"])
    scaled = node("Mul", [normed, g], [f"{prefix}_scaled"])
    return node("Add", [scaled, b], [f"{prefix}_out"])

def linear(x, prefix, n_in, n_out):
    w = param(f"{prefix}.weight", (n_in, n_out), 1 / math.sqrt(n_in))
    b = param(f"{prefix}.bias", (n_out,), 0.05)
    return node("Add", [node("MatMul", [x, w], [f"{prefix}_mm"]), b], [f"{prefix}_out"])

emb = node("Gather", [param("embed.weight", (VOCAB, HIDDEN), 1.0), "ids"], ["embedded"], axis=0)
x = layer_norm(emb, "ln0")
heads_shape = const("heads_shape", [0, 0, HEADS, HEAD], np.int64)
def split_heads(t, name, perm):
    return node("Transpose", [node("Reshape", [t, heads_shape], [f"{name}_split"])], [f"{name}_heads"], perm=perm)
q = split_heads(linear(x, "q", HIDDEN, HIDDEN), "q", [0, 2, 1, 3])
k = split_heads(linear(x, "k", HIDDEN, HIDDEN), "k", [0, 2, 3, 1])  # K^T directly
v = split_heads(linear(x, "v", HIDDEN, HIDDEN), "v", [0, 2, 1, 3])
scores = node("Div", [node("MatMul", [q, k], ["qk"]), const("scale", math.sqrt(HEAD))], ["scores"])
probs = node("Softmax", [scores], ["probs"], axis=-1)
context = node("Transpose", [node("MatMul", [probs, v], ["pv"])], ["context_t"], perm=[0, 2, 1, 3])
merged = node("Reshape", [context, const("merge_shape", [0, 0, HIDDEN], np.int64)], ["context"])
attn = node("Add", [x, linear(merged, "o", HIDDEN, HIDDEN)], ["attn_residual"])
x = layer_norm(attn, "ln1")
h = linear(x, "ffn1", HIDDEN, FFN)
g = node("Erf", [node("Div", [h, const("sqrt2", math.sqrt(2.0))], ["gelu_in"])], ["gelu_erf"])
g = node("Mul", [node("Mul", [h, node("Add", [g, const("one", 1.0)], ["gelu_1p"])], ["gelu_x"]),
                 const("half", 0.5)], ["gelu"])
y = node("Add", [x, linear(g, "ffn2", FFN, HIDDEN)], ["ffn_residual"])
out = layer_norm(y, "ln2")
node("Identity", [out], ["hidden"])

inits += [numpy_helper.from_array(v, k) for k, v in params.items()]
graph = helper.make_graph(nodes, "encoder", [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, "seq"])],
                          [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [1, "seq", HIDDEN])], inits)
os.makedirs(here, exist_ok=True)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec-test-suite"),
     os.path.join(here, "encoder.onnx"))

# Reference in float64.
P = {k: v.astype(np.float64) for k, v in params.items()}
erf = np.vectorize(math.erf)
def ln(t, p):
    mu = t.mean(-1, keepdims=True)
    return (t - mu) / np.sqrt(((t - mu) ** 2).mean(-1, keepdims=True) + 1e-5) * P[p + ".weight"] + P[p + ".bias"]
def lin(t, p):
    return t @ P[p + ".weight"] + P[p + ".bias"]
def reference(ids):
    seq = ids.shape[1]
    x = ln(P["embed.weight"][ids], "ln0")
    split = lambda t: t.reshape(1, seq, HEADS, HEAD).transpose(0, 2, 1, 3)
    q, k, v = split(lin(x, "q")), split(lin(x, "k")), split(lin(x, "v"))
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(HEAD)
    p = np.exp(s - s.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
    c = (p @ v).transpose(0, 2, 1, 3).reshape(1, seq, HIDDEN)
    x = ln(x + lin(c, "o"), "ln1")
    h = lin(x, "ffn1")
    return ln(x + lin(h * 0.5 * (1 + erf(h / math.sqrt(2))), "ffn2"), "ln2").astype(np.float32)

for seq in (1, 5, 11):
    case = os.path.join(here, "cases", f"seq{seq}")
    os.makedirs(os.path.join(case, "expected"), exist_ok=True)
    ids = rng.integers(0, VOCAB, size=(1, seq)).astype(np.int64)
    np.save(os.path.join(case, "ids.npy"), ids)
    np.save(os.path.join(case, "expected", "hidden.npy"), reference(ids))
