#!/usr/bin/python3
"""Generates contrib/: a decoder block written with the com.microsoft ops that exported
LLMs carry (onnxruntime-genai style), with ONNX Runtime's outputs as the reference.

    gen_contrib.py ORT_RUN_JS       (node script of test-suite/bench, needs npm onnxruntime-node)

    x, skip -> SkipSimplifiedLayerNormalization -> Q/K/V MatMul -> RotaryEmbedding (q, k)
    -> GroupQueryAttention (4 heads, 2 KV heads, past_key/past_value, seqlens_k)
    -> MatMul -> SkipLayerNormalization (beta, bias) -> FastGelu(bias) -> BiasGelu
    -> SimplifiedLayerNormalization -> y
    and, beside it, MultiHeadAttention (bias, past, unidirectional) over the normalized input.
Cases: batch 1, sequence 1 and 7, past 0 and 5. Run with /usr/bin/python3.
"""
import os
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

from ort_cases import write_ort_case

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contrib")
HIDDEN, HEADS, KV_HEADS, HEAD = 64, 4, 2, 16
rng = np.random.default_rng(11)
F, I64, I32 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32
MS = "com.microsoft"


def weight(name, shape, scale=0.2):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def build():
    angles = np.outer(np.arange(128), 1.0 / (10000 ** (np.arange(0, HEAD, 2) / HEAD)))
    inits = [
        weight("gamma1", [HIDDEN], 1.0), weight("wq", [HIDDEN, HIDDEN]), weight("wk", [HIDDEN, KV_HEADS * HEAD]),
        weight("wv", [HIDDEN, KV_HEADS * HEAD]), weight("wo", [HIDDEN, HIDDEN]), weight("gamma2", [HIDDEN], 1.0),
        weight("beta2", [HIDDEN]), weight("bias2", [HIDDEN]), weight("w1", [HIDDEN, 2 * HIDDEN]),
        weight("b1", [2 * HIDDEN]), weight("w2", [2 * HIDDEN, HIDDEN]), weight("b2", [HIDDEN]),
        weight("gamma3", [HIDDEN], 1.0), weight("mha_bias", [3 * HIDDEN]),
        numpy_helper.from_array(np.cos(angles).astype(np.float32), "cos_cache"),
        numpy_helper.from_array(np.sin(angles).astype(np.float32), "sin_cache"),
    ]
    nodes = [
        helper.make_node("SkipSimplifiedLayerNormalization", ["x", "skip", "gamma1"], ["n1", "", "", "s1"],
                         name="skip_rms", domain=MS, epsilon=1e-6),
        helper.make_node("MatMul", ["n1", "wq"], ["q"], name="q_proj"),
        helper.make_node("MatMul", ["n1", "wk"], ["k"], name="k_proj"),
        helper.make_node("MatMul", ["n1", "wv"], ["v"], name="v_proj"),
        helper.make_node("RotaryEmbedding", ["q", "position_ids", "cos_cache", "sin_cache"], ["qr"], name="rope_q",
                         domain=MS, num_heads=HEADS),
        helper.make_node("RotaryEmbedding", ["k", "position_ids", "cos_cache", "sin_cache"], ["kr"], name="rope_k",
                         domain=MS, num_heads=KV_HEADS, interleaved=1),
        helper.make_node("GroupQueryAttention", ["qr", "kr", "v", "past_key", "past_value", "seqlens_k",
                                                 "total_sequence_length"],
                         ["attn", "present_key", "present_value"], name="gqa", domain=MS, num_heads=HEADS,
                         kv_num_heads=KV_HEADS),
        helper.make_node("MatMul", ["attn", "wo"], ["o"], name="o_proj"),
        helper.make_node("SkipLayerNormalization", ["o", "s1", "gamma2", "beta2", "bias2"], ["n2", "", "", "s2"],
                         name="skip_ln", domain=MS, epsilon=1e-5),
        helper.make_node("MatMul", ["n2", "w1"], ["f1"], name="fc1"),
        helper.make_node("FastGelu", ["f1", "b1"], ["g1"], name="fast_gelu", domain=MS),
        helper.make_node("MatMul", ["g1", "w2"], ["f2"], name="fc2"),
        helper.make_node("BiasGelu", ["f2", "b2"], ["g2"], name="bias_gelu", domain=MS),
        helper.make_node("Add", ["g2", "s2"], ["h"], name="residual"),
        helper.make_node("SimplifiedLayerNormalization", ["h", "gamma3"], ["y"], name="final_rms", epsilon=1e-6),
        helper.make_node("MultiHeadAttention", ["n2", "n2", "n2", "mha_bias", "", "", "mha_past_key", "mha_past_value"],
                         ["mha_out", "mha_present_key", "mha_present_value"], name="mha", domain=MS, num_heads=HEADS,
                         unidirectional=1),
    ]
    b, s, p = "batch", "sequence", "past_sequence"
    inputs = [
        helper.make_tensor_value_info("x", F, [b, s, HIDDEN]), helper.make_tensor_value_info("skip", F, [b, s, HIDDEN]),
        helper.make_tensor_value_info("position_ids", I64, [b, s]),
        helper.make_tensor_value_info("past_key", F, [b, KV_HEADS, p, HEAD]),
        helper.make_tensor_value_info("past_value", F, [b, KV_HEADS, p, HEAD]),
        helper.make_tensor_value_info("seqlens_k", I32, [b]),
        helper.make_tensor_value_info("total_sequence_length", I32, []),
        helper.make_tensor_value_info("mha_past_key", F, [b, HEADS, p, HEAD]),
        helper.make_tensor_value_info("mha_past_value", F, [b, HEADS, p, HEAD]),
    ]
    t = "total_sequence"
    outputs = [
        helper.make_tensor_value_info("y", F, [b, s, HIDDEN]),
        helper.make_tensor_value_info("present_key", F, [b, KV_HEADS, t, HEAD]),
        helper.make_tensor_value_info("present_value", F, [b, KV_HEADS, t, HEAD]),
        helper.make_tensor_value_info("mha_out", F, [b, s, HIDDEN]),
        helper.make_tensor_value_info("mha_present_key", F, [b, HEADS, t, HEAD]),
        helper.make_tensor_value_info("mha_present_value", F, [b, HEADS, t, HEAD]),
    ]
    graph = helper.make_graph(nodes, "contrib_block", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)])


def main():
    ort_run = sys.argv[1]
    os.makedirs(HERE, exist_ok=True)
    model_path = os.path.join(HERE, "contrib.onnx")
    save(build(), model_path)
    for seq in (1, 7):
        for past in (0, 5):
            inputs = {
                "x": rng.standard_normal((1, seq, HIDDEN)).astype(np.float32),
                "skip": rng.standard_normal((1, seq, HIDDEN)).astype(np.float32),
                "position_ids": np.arange(past, past + seq, dtype=np.int64)[None],
                "past_key": rng.standard_normal((1, KV_HEADS, past, HEAD)).astype(np.float32),
                "past_value": rng.standard_normal((1, KV_HEADS, past, HEAD)).astype(np.float32),
                "seqlens_k": np.array([past + seq - 1], dtype=np.int32),
                "total_sequence_length": np.array(past + seq, dtype=np.int32),
                "mha_past_key": rng.standard_normal((1, HEADS, past, HEAD)).astype(np.float32),
                "mha_past_value": rng.standard_normal((1, HEADS, past, HEAD)).astype(np.float32),
            }
            write_ort_case(os.path.join(HERE, "cases", f"seq{seq}_past{past}"), model_path, inputs, ort_run)


if __name__ == "__main__":
    main()
