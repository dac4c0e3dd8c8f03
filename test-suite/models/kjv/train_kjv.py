#!/usr/bin/python3
"""Trains the small Llama-style model that quantization quality is measured on.

    /usr/bin/python3 train_kjv.py [--steps N]      (needs the bible-kjv-text package)

Text: the King James Bible from Debian's bible-kjv-text (public domain), printed verse by
verse with `bible -f`. The last HELD_OUT verses (the end of Revelation) are never trained on
and are written to heldout.txt, one verse per line. Tokenizer: a 1024-piece SentencePiece
BPE with byte fallback trained on the training verses, written as tokenizer.json (see
test-suite/tokenizer/gen_sentencepiece.py). Model: gen_transformers.py's Llama (RMSNorm,
rotary positions, grouped-query attention with 8 query and 2 KV heads, SwiGLU) at
hidden 256, 4 layers, about 2.8M parameters, trained with AdamW (weight decay 0.1) and
dropout 0.1 on each residual branch (attention and MLP outputs) on 128-token windows of
the concatenated verses (each verse encoded on its own, ids joined), then exported like
the test decoders (input_ids, position_ids, past_key_values; opset 17) as kjv.onnx, with
rotary tables for the 128 positions it was trained on (its context length).

The regularization matters for quantization, not only for perplexity: trained without it
(weight decay 0.01, no dropout, 1800 steps) the model reached a similar perplexity but its
top-1 predictions flipped under q8_0 1.1% of the time (agreement 98.9%) and under q4_0 10%.

Deterministic up to torch's CPU kernels: fixed seeds, one thread. The committed model was
trained with the defaults (3000 steps, about an hour on one core with Debian's
libopenblas0 providing BLAS).
"""
import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tokenizer"))
import gen_transformers as gt  # noqa: E402
from gen_sentencepiece import write_tokenizer  # noqa: E402

HELD_OUT = 300
CONTEXT = 128
# SentencePiece's ids for these go to reference.json (the tokenizer unit test checks
# edgec's tokenizer against them): verses, held-out text, and text the Bible never has.
SAMPLES = ["In the beginning God created the heaven and the earth.",
           "And the LORD spake unto Moses, saying,",
           "Blessed are the meek: for they shall inherit the earth.",
           "The grace of our Lord Jesus Christ be with you all. Amen.",
           "And I saw a new heaven and a new earth: for the first heaven and the first earth were passed away;",
           "  two leading spaces, numbers 1234567 and 3.14; punctuation!?",
           "naïve café — über Straße",
           "emoji 🙂 and 中文 fall back to bytes"]


def verses():
    text = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
    lines = [line.split(" ", 1)[1] for line in text.splitlines() if " " in line]
    if len(lines) < 30000:
        sys.exit(f"train_kjv.py: expected the whole Bible from `bible -f`, got {len(lines)} verses")
    return lines


def name_matmul_weights(path):
    """torch.onnx.export stores each Linear's transposed weight as an anonymous initializer
    ("onnx::MatMul_1043"); name it after its module ("layers.0.q.weight_t") so that reports
    and --quant-override patterns can refer to it."""
    model = onnx.load(path)
    initializers = {t.name: t for t in model.graph.initializer}
    renames = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in initializers and node.input[1].startswith("onnx::"):
            renames[node.input[1]] = node.name.strip("/").replace("/MatMul", "").replace("/", ".") + ".weight_t"
    for old, new in renames.items():
        initializers[old].name = new
    for node in model.graph.node:
        node.input[:] = [renames.get(x, x) for x in node.input]
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=0.1)

    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gt.VOCAB, gt.HIDDEN, gt.LAYERS, gt.HEADS = 1024, 256, 4, 8
    gt.HEAD = gt.HIDDEN // gt.HEADS

    lines = verses()
    train, held_out = lines[:-HELD_OUT], lines[-HELD_OUT:]
    train_path = os.path.join(HERE, "train.tmp.txt")
    with open(train_path, "w") as f:
        f.write("\n".join(train) + "\n")
    sp = write_tokenizer(train_path, HERE, gt.VOCAB, True, SAMPLES)
    os.remove(train_path)
    with open(os.path.join(HERE, "heldout.txt"), "w") as f:
        f.write("\n".join(held_out) + "\n")

    ids = np.concatenate([np.asarray(sp.encode(v), dtype=np.int64) for v in train])
    print(f"{len(train)} training verses, {ids.size} tokens", flush=True)
    data = torch.from_numpy(ids)
    model = gt.Llama()
    add_residual_dropout(model, args.dropout)
    print(f"{sum(p.numel() for p in model.parameters())} parameters", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=args.weight_decay)
    positions = torch.arange(CONTEXT).unsqueeze(0).expand(args.batch, CONTEXT)
    empty = [torch.zeros(args.batch, gt.LlamaLayer.KV_HEADS, 0, gt.HEAD) for _ in range(2 * gt.LAYERS)]
    generator = torch.Generator().manual_seed(1)
    start = time.time()
    model.train()
    for step in range(args.steps):
        lr = 3e-3 * min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for group in optimizer.param_groups:
            group["lr"] = lr
        offsets = torch.randint(0, data.numel() - CONTEXT - 1, (args.batch,), generator=generator)
        window = torch.stack([data[o:o + CONTEXT + 1] for o in offsets.tolist()])
        logits = model(window[:, :-1], positions, *empty)[0]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, gt.VOCAB), window[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)

    export(model, sp, held_out)


def add_residual_dropout(model, p):
    """Dropout on what each layer adds to the residual stream (attention and MLP outputs),
    in training mode only."""
    for layer in model.layers:
        for branch in (layer.o, layer.down):
            branch.register_forward_hook(
                lambda module, inputs, output: torch.nn.functional.dropout(output, p, module.training))


def export(model, sp, held_out):
    """Writes kjv.onnx and prints the held-out perplexity of the first window."""
    model.eval()
    for table in ("cos_cached", "sin_cached"):  # positions beyond the trained context mean nothing
        model.register_buffer(table, getattr(model, table)[:CONTEXT].clone())
    past_names = gt.decoder_past_names()
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "position_ids": {0: "batch", 1: "sequence"},
               "logits": {0: "batch", 1: "sequence"}}
    for n in past_names:
        dynamic[n] = {0: "batch", 2: "past_sequence"}
    for n in present_names:
        dynamic[n] = {0: "batch", 2: "total_sequence"}
    example = (torch.zeros(1, 3, dtype=torch.int64), torch.arange(2, 5).unsqueeze(0),
               *[torch.zeros(1, gt.LlamaLayer.KV_HEADS, 2, gt.HEAD) for _ in past_names])
    torch.onnx.export(model, example, os.path.join(HERE, "kjv.onnx"), input_names=["input_ids", "position_ids"] + past_names,
                      output_names=["logits"] + present_names, dynamic_axes=dynamic, opset_version=17)
    name_matmul_weights(os.path.join(HERE, "kjv.onnx"))
    held_ids = np.concatenate([np.asarray(sp.encode(v), dtype=np.int64) for v in held_out])
    positions = torch.arange(CONTEXT).unsqueeze(0)
    empty = [torch.zeros(1, gt.LlamaLayer.KV_HEADS, 0, gt.HEAD) for _ in range(2 * gt.LAYERS)]
    with torch.no_grad():
        window = torch.from_numpy(held_ids[:CONTEXT + 1]).unsqueeze(0)
        logits = model(window[:, :-1], positions, *empty)[0]
        loss = torch.nn.functional.cross_entropy(logits[0], window[0, 1:])
    print(f"held-out perplexity (first {CONTEXT} tokens, torch): {math.exp(loss.item()):.2f}")


if __name__ == "__main__":
    main()
