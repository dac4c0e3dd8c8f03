#!/usr/bin/python3
"""Writes the benchmark's model of real size: a Llama in TinyLlama-1.1B's shape (hidden
2048, MLP 5632, 22 layers, 32 query heads over 4 KV heads, vocabulary 32000, 2048
positions; 1.1 B parameters, 4.4 GB of f32) with random weights, exported by
torch.onnx.export with past_key_values, its weights in external data files beside the
graph (what torch writes for a model over 2 GB), and the same weights as GGUF for
llama.cpp (OUT_DIR/llama-f32.gguf; its llama-quantize makes the quantized files).

    gen_llama_1b.py OUT_DIR [--layers N] [--no-gguf]

Each file is written once; a later run with the same shape finds it (the shape is
recorded in OUT_DIR/shape.json) and does nothing. --layers makes a shallower
model of the same width (compile-time and code-size comparisons). Never part of the
test suite: it takes minutes and 5 GB of disk. Run with /usr/bin/python3.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
import gen_transformers as gt  # noqa: E402
from gguf_writer import GGUFWriter, FLOAT32, INT32, STRING, UINT32  # noqa: E402

SHAPE = {"vocab": 32000, "hidden": 2048, "ff": 5632, "layers": 22, "heads": 32, "kv_heads": 4, "positions": 2048}


def configure(shape):
    gt.VOCAB, gt.HIDDEN, gt.LAYERS, gt.HEADS = shape["vocab"], shape["hidden"], shape["layers"], shape["heads"]
    gt.HEAD = gt.HIDDEN // gt.HEADS
    gt.LlamaLayer.KV_HEADS = shape["kv_heads"]
    gt.LLAMA_FF, gt.LLAMA_POSITIONS = shape["ff"], shape["positions"]


def build(shape):
    configure(shape)
    torch.manual_seed(0)
    with torch.no_grad():
        return gt.Llama().eval()


def export(model, path, shape):
    with torch.no_grad():
        past = [torch.zeros(1, shape["kv_heads"], 0, gt.HEAD) for _ in range(2 * gt.LAYERS)]
        past_names = gt.decoder_past_names()
        present_names = [n.replace("past_key_values", "present") for n in past_names]
        dynamic = {"input_ids": {1: "sequence"}, "position_ids": {1: "sequence"}, "logits": {1: "sequence"}}
        dynamic.update({n: {2: "past_sequence"} for n in past_names})
        dynamic.update({n: {2: "total_sequence"} for n in present_names})
        ids = torch.zeros(1, 3, dtype=torch.int64)
        torch.onnx.export(model, (ids, torch.arange(3)[None], *past), path,
                          input_names=["input_ids", "position_ids"] + past_names,
                          output_names=["logits"] + present_names, dynamic_axes=dynamic, opset_version=17)
    return sum(p.numel() for p in model.parameters())


def rope_pairs_adjacent(weight, heads):
    """Rows of a q or k projection reordered from rotate_half's pairing (dim i of a head
    with i + head/2, what the ONNX graph computes) to llama.cpp's (dims 2i and 2i + 1), so
    both engines compute the same attention scores."""
    out, inner = weight.shape
    head = out // heads
    return weight.reshape(heads, 2, head // 2, inner).swapaxes(1, 2).reshape(out, inner)


def write_gguf(model, path, shape):
    w = GGUFWriter()
    w.add("general.architecture", STRING, "llama")
    w.add("general.name", STRING, "edgec-bench-llama-1b")
    w.add("llama.context_length", UINT32, shape["positions"])
    w.add("llama.embedding_length", UINT32, shape["hidden"])
    w.add("llama.feed_forward_length", UINT32, shape["ff"])
    w.add("llama.block_count", UINT32, shape["layers"])
    w.add("llama.attention.head_count", UINT32, shape["heads"])
    w.add("llama.attention.head_count_kv", UINT32, shape["kv_heads"])
    w.add("llama.rope.dimension_count", UINT32, shape["hidden"] // shape["heads"])
    w.add("llama.rope.freq_base", FLOAT32, 10000.0)
    w.add("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-6)
    # A SentencePiece-style vocabulary of the model's size: the specials, the 256 byte
    # tokens, then placeholders (the bench feeds token ids, never text).
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    tokens += [f"t{i}" for i in range(len(tokens), shape["vocab"])]
    types = [2, 3, 3] + [6] * 256 + [1] * (shape["vocab"] - 259)  # unknown, control, byte, normal
    w.add("tokenizer.ggml.model", STRING, "llama")
    w.add_array("tokenizer.ggml.tokens", STRING, tokens)
    w.add_array("tokenizer.ggml.scores", FLOAT32, [0.0] * shape["vocab"])
    w.add_array("tokenizer.ggml.token_type", INT32, types)
    w.add("tokenizer.ggml.bos_token_id", UINT32, 1)
    w.add("tokenizer.ggml.eos_token_id", UINT32, 2)
    w.add("tokenizer.ggml.unknown_token_id", UINT32, 0)

    def f32(t):
        return t.detach().float().numpy().astype(np.float32)

    w.add_tensor("token_embd.weight", f32(model.embed.weight))
    for i, layer in enumerate(model.layers):
        b = f"blk.{i}."
        w.add_tensor(b + "attn_norm.weight", f32(layer.input_norm.weight))
        w.add_tensor(b + "attn_q.weight", rope_pairs_adjacent(f32(layer.q.weight), shape["heads"]))
        w.add_tensor(b + "attn_k.weight", rope_pairs_adjacent(f32(layer.k.weight), shape["kv_heads"]))
        w.add_tensor(b + "attn_v.weight", f32(layer.v.weight))
        w.add_tensor(b + "attn_output.weight", f32(layer.o.weight))
        w.add_tensor(b + "ffn_norm.weight", f32(layer.post_norm.weight))
        w.add_tensor(b + "ffn_gate.weight", f32(layer.gate.weight))
        w.add_tensor(b + "ffn_up.weight", f32(layer.up.weight))
        w.add_tensor(b + "ffn_down.weight", f32(layer.down.weight))
    w.add_tensor("output_norm.weight", f32(model.norm.weight))
    w.add_tensor("output.weight", f32(model.lm_head.weight))
    w.write(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--layers", type=int, default=SHAPE["layers"])
    parser.add_argument("--no-gguf", action="store_true", help="write the ONNX model only")
    args = parser.parse_args()
    shape = dict(SHAPE, layers=args.layers)
    os.makedirs(args.out_dir, exist_ok=True)
    stamp = os.path.join(args.out_dir, "shape.json")
    onnx_path, gguf_path = os.path.join(args.out_dir, "llama.onnx"), os.path.join(args.out_dir, "llama-f32.gguf")
    same = False
    if os.path.exists(stamp):
        with open(stamp) as f:
            same = json.load(f) == shape
    if not same:
        for path in (stamp, onnx_path, gguf_path):
            if os.path.exists(path):
                os.remove(path)
    wanted = [p for p in (onnx_path, None if args.no_gguf else gguf_path) if p and not os.path.exists(p)]
    if not wanted:
        print(f"{args.out_dir}: up to date")
        return
    model = build(shape)
    parameters = sum(p.numel() for p in model.parameters())
    if onnx_path in wanted:
        export(model, onnx_path, shape)
        print(f"{onnx_path}: {parameters / 1e9:.2f} B parameters, {parameters * 4 / 1e9:.2f} GB of f32 weights")
    if gguf_path in wanted:
        write_gguf(model, gguf_path, shape)
        print(f"{gguf_path}: the same weights for llama.cpp")
    with open(stamp, "w") as f:
        json.dump(shape, f)


if __name__ == "__main__":
    main()
