#!/usr/bin/python3
"""Writes the benchmark's model of real size: a Llama in TinyLlama-1.1B's shape (hidden
2048, MLP 5632, 22 layers, 32 query heads over 4 KV heads, vocabulary 32000, 2048
positions; 1.1 B parameters, 4.4 GB of f32) with random weights, exported by
torch.onnx.export with past_key_values, its weights in external data files beside the
graph (what torch writes for a model over 2 GB).

    gen_llama_1b.py OUT_DIR [--layers N]

OUT_DIR/llama.onnx is written once; a later run with the same shape finds it (the
shape is recorded in OUT_DIR/shape.json) and does nothing. --layers makes a shallower
model of the same width (compile-time and code-size comparisons). Never part of the
test suite: it takes minutes and 5 GB of disk. Run with /usr/bin/python3.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
import gen_transformers as gt  # noqa: E402

SHAPE = {"vocab": 32000, "hidden": 2048, "ff": 5632, "layers": 22, "heads": 32, "kv_heads": 4, "positions": 2048}


def configure(shape):
    gt.VOCAB, gt.HIDDEN, gt.LAYERS, gt.HEADS = shape["vocab"], shape["hidden"], shape["layers"], shape["heads"]
    gt.HEAD = gt.HIDDEN // gt.HEADS
    gt.LlamaLayer.KV_HEADS = shape["kv_heads"]
    gt.LLAMA_FF, gt.LLAMA_POSITIONS = shape["ff"], shape["positions"]


def export(path, shape):
    configure(shape)
    torch.manual_seed(0)
    with torch.no_grad():
        model = gt.Llama().eval()
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--layers", type=int, default=SHAPE["layers"])
    args = parser.parse_args()
    shape = dict(SHAPE, layers=args.layers)
    os.makedirs(args.out_dir, exist_ok=True)
    stamp, model = os.path.join(args.out_dir, "shape.json"), os.path.join(args.out_dir, "llama.onnx")
    if os.path.exists(model) and os.path.exists(stamp):
        with open(stamp) as f:
            if json.load(f) == shape:
                print(f"{model}: up to date")
                return
    if os.path.exists(stamp):
        os.remove(stamp)
    parameters = export(model, shape)
    with open(stamp, "w") as f:
        json.dump(shape, f)
    print(f"{model}: {parameters / 1e9:.2f} B parameters, {parameters * 4 / 1e9:.2f} GB of f32 weights")


if __name__ == "__main__":
    main()
