#!/usr/bin/python3
"""Generates real exporter output: small Llama-, GPT-2- and BERT-style models written by
torch.onnx.export (Debian's python3-torch), with inputs and float64 torch references.

    gen_transformers.py [llama|gpt2|bert|llama_mask|llama_deep|llama_vocab600 ...]  (default: llama gpt2 bert)

Each model is a few hundred thousand random parameters in the architecture's exact shape:
  llama  RMSNorm, rotary embeddings indexed by position_ids, grouped-query attention
         (4 query heads, 2 KV heads), SwiGLU MLP, past_key_values inputs and present
         outputs; opset 17. llama_mask: the same weights with an attention_mask input
         [batch, past + sequence], as optimum exports decoders (not in the default set).
  llama_deep  the Llama at hidden 32 and 6 layers deep, so that identical layers repeat
         (not in the default set).
  llama_vocab600  the Llama with a 600-token vocabulary, room for tokenizers with all 256
         bytes (test-suite/tokenizer/sentencepiece, byte-level-600); no cases, for the chat
         app's streaming test (not in the default set).
  gpt2   learned positions (from the past length), LayerNorm, fused QKV + Split, GELU-tanh,
         logits through the tied token embedding, past_key_values; opset 14.
  bert   word + position + token-type embeddings, LayerNorm, attention_mask input, GELU
         (erf); opset 17.
Cases: sequence lengths 1, 7 and 64, with an empty past and a past of 5 tokens for the
decoders. The exported graph is what torch writes (Shape/Gather/Concat shape arithmetic,
Range-built causal masks), which is the point. Run with /usr/bin/python3.
"""
import math
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, HIDDEN, LAYERS, HEADS = 128, 64, 2, 4
HEAD = HIDDEN // HEADS
# The Llama's MLP width (None: 2 * HIDDEN) and rotary table length; the benchmark sets
# them to a real model's.
LLAMA_FF, LLAMA_POSITIONS = None, 256


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(1 + 0.1 * torch.randn(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def causal_mask(seq, past, dtype):
    """[seq, past + seq]: query i (at position past + i) sees keys 0..past + i."""
    keys = torch.arange(past + seq)
    queries = torch.arange(seq) + past
    allowed = keys.unsqueeze(0) <= queries.unsqueeze(1)
    return torch.where(allowed, torch.zeros((), dtype=dtype), torch.full((), -1e9, dtype=dtype))


class LlamaLayer(nn.Module):
    KV_HEADS = 2

    def __init__(self):
        super().__init__()
        self.input_norm, self.post_norm = RMSNorm(HIDDEN), RMSNorm(HIDDEN)
        self.q = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.k = nn.Linear(HIDDEN, self.KV_HEADS * HEAD, bias=False)
        self.v = nn.Linear(HIDDEN, self.KV_HEADS * HEAD, bias=False)
        self.o = nn.Linear(HIDDEN, HIDDEN, bias=False)
        ff = LLAMA_FF or 2 * HIDDEN
        self.gate = nn.Linear(HIDDEN, ff, bias=False)
        self.up = nn.Linear(HIDDEN, ff, bias=False)
        self.down = nn.Linear(ff, HIDDEN, bias=False)

    def forward(self, x, cos, sin, past_k, past_v, padding=None):
        b, s, _ = x.shape
        h = self.input_norm(x)
        q = self.q(h).view(b, s, HEADS, HEAD).transpose(1, 2)
        k = self.k(h).view(b, s, self.KV_HEADS, HEAD).transpose(1, 2)
        v = self.v(h).view(b, s, self.KV_HEADS, HEAD).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        groups = HEADS // self.KV_HEADS
        kr = k[:, :, None].expand(b, self.KV_HEADS, groups, k.shape[2], HEAD).reshape(b, HEADS, k.shape[2], HEAD)
        vr = v[:, :, None].expand(b, self.KV_HEADS, groups, v.shape[2], HEAD).reshape(b, HEADS, v.shape[2], HEAD)
        scores = q @ kr.transpose(2, 3) / math.sqrt(HEAD)
        scores = scores + causal_mask(s, past_k.shape[2], scores.dtype)
        if padding is not None:
            scores = scores + padding
        attn = torch.softmax(scores, dim=-1) @ vr
        x = x + self.o(attn.transpose(1, 2).reshape(b, s, HIDDEN))
        h = self.post_norm(x)
        x = x + self.down(nn.functional.silu(self.gate(h)) * self.up(h))
        return x, present


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.layers = nn.ModuleList(LlamaLayer() for _ in range(LAYERS))
        self.norm = RMSNorm(HIDDEN)
        self.lm_head = nn.Linear(HIDDEN, VOCAB, bias=False)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, HEAD, 2).float() / HEAD))
        angles = torch.outer(torch.arange(LLAMA_POSITIONS).float(), inv_freq)
        angles = torch.cat([angles, angles], dim=-1)
        self.register_buffer("cos_cached", angles.cos())
        self.register_buffer("sin_cached", angles.sin())

    def forward(self, input_ids, position_ids, *past):
        x = self.embed(input_ids)
        cos = self.cos_cached[position_ids].unsqueeze(1)
        sin = self.sin_cached[position_ids].unsqueeze(1)
        presents = []
        for i, layer in enumerate(self.layers):
            x, (k, v) = layer(x, cos, sin, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        return (self.lm_head(self.norm(x)), *presents)


class LlamaWithMask(Llama):
    """The same model taking Hugging Face's attention_mask [batch, past + sequence] (1 =
    attend, 0 = padding), as optimum exports decoders."""

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.embed(input_ids)
        cos = self.cos_cached[position_ids].unsqueeze(1)
        sin = self.sin_cached[position_ids].unsqueeze(1)
        padding = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        presents = []
        for i, layer in enumerate(self.layers):
            x, (k, v) = layer(x, cos, sin, past[2 * i], past[2 * i + 1], padding)
            presents += [k, v]
        return (self.lm_head(self.norm(x)), *presents)


class Gpt2Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(HIDDEN), nn.LayerNorm(HIDDEN)
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.proj = nn.Linear(HIDDEN, HIDDEN)
        self.fc = nn.Linear(HIDDEN, 4 * HIDDEN)
        self.fc_out = nn.Linear(4 * HIDDEN, HIDDEN)

    def forward(self, x, past_k, past_v):
        b, s, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(HIDDEN, dim=2)
        q, k, v = (t.view(b, s, HEADS, HEAD).permute(0, 2, 1, 3) for t in (q, k, v))
        k = torch.cat([past_k, k], dim=-2)
        v = torch.cat([past_v, v], dim=-2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(HEAD)
        scores = scores + causal_mask(s, past_k.shape[2], scores.dtype)
        attn = torch.matmul(nn.functional.softmax(scores, dim=-1), v)
        x = x + self.proj(attn.permute(0, 2, 1, 3).reshape(b, s, HIDDEN))
        x = x + self.fc_out(nn.functional.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x, (k, v)


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, HIDDEN)
        self.wpe = nn.Embedding(256, HIDDEN)
        self.layers = nn.ModuleList(Gpt2Layer() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(HIDDEN)

    def forward(self, input_ids, *past):
        past_length = past[0].shape[2]
        positions = torch.arange(past_length, past_length + input_ids.shape[1]).unsqueeze(0)
        x = self.wte(input_ids) + self.wpe(positions)
        presents = []
        for i, layer in enumerate(self.layers):
            x, (k, v) = layer(x, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = torch.matmul(self.ln_f(x), self.wte.weight.t())  # tied embedding
        return (logits, *presents)


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.fc, self.fc_out = nn.Linear(HIDDEN, 2 * HIDDEN), nn.Linear(2 * HIDDEN, HIDDEN)

    def forward(self, x, mask):
        b, s, _ = x.shape
        q, k, v = (lin(x).view(b, s, HEADS, HEAD).permute(0, 2, 1, 3) for lin in (self.q, self.k, self.v))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(HEAD) + mask
        attn = torch.matmul(scores.softmax(-1), v).permute(0, 2, 1, 3).reshape(b, s, HIDDEN)
        x = self.ln1(x + self.o(attn))
        return self.ln2(x + self.fc_out(nn.functional.gelu(self.fc(x))))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.words = nn.Embedding(VOCAB, HIDDEN)
        self.positions = nn.Embedding(128, HIDDEN)
        self.types = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer() for _ in range(LAYERS))

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.words(input_ids) + self.positions(positions) + self.types(token_type_ids))
        mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask)
        return x


def save_case(directory, inputs, outputs):
    os.makedirs(os.path.join(directory, "expected"), exist_ok=True)
    for name, value in inputs.items():
        np.save(os.path.join(directory, name + ".npy"), value)
    for name, value in outputs.items():
        np.save(os.path.join(directory, "expected", name + ".npy"), value)


def decoder_past_names():
    names = []
    for i in range(LAYERS):
        names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
    return names


def export(name, model, args, input_names, output_names, dynamic_axes, opset, cases):
    directory = os.path.join(HERE, name)
    os.makedirs(directory, exist_ok=True)
    model.eval()
    torch.onnx.export(model, args, os.path.join(directory, name + ".onnx"), input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic_axes, opset_version=opset)
    reference = model.double()
    for case_name, inputs in cases:
        torch_inputs = [torch.from_numpy(inputs[n]) for n in input_names]
        torch_inputs = [t.double() if t.is_floating_point() else t for t in torch_inputs]
        with torch.no_grad():
            outputs = reference(*torch_inputs)
        if isinstance(outputs, torch.Tensor):
            outputs = (outputs,)
        save_case(os.path.join(directory, "cases", case_name), inputs,
                  {n: o.numpy() for n, o in zip(output_names, outputs)})
    model.float()


def decoder(name, model, kv_heads, with_positions, opset, with_mask=False, with_cases=True):
    past_names = decoder_past_names()
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    input_names = (["input_ids"] + (["attention_mask"] if with_mask else []) +
                   (["position_ids"] if with_positions else []) + past_names)
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}}
    if with_positions:
        dynamic["position_ids"] = {0: "batch", 1: "sequence"}
    if with_mask:
        dynamic["attention_mask"] = {0: "batch", 1: "total_sequence"}
    for n in past_names:
        dynamic[n] = {0: "batch", 2: "past_sequence"}
    for n in present_names:
        dynamic[n] = {0: "batch", 2: "total_sequence"}
    rng = np.random.default_rng(3)

    def inputs_for(seq, past):
        values = {"input_ids": rng.integers(0, VOCAB, (1, seq)).astype(np.int64)}
        if with_positions:
            values["position_ids"] = np.arange(past, past + seq, dtype=np.int64)[None]
        if with_mask:
            values["attention_mask"] = np.ones((1, past + seq), dtype=np.int64)
        for n in past_names:
            values[n] = rng.standard_normal((1, kv_heads, past, HEAD)).astype(np.float32)
        return values

    cases = [(f"seq{seq}_past{past}", inputs_for(seq, past)) for seq in (1, 7, 64) for past in (0, 5)]
    if not with_cases:
        cases = []
    example = inputs_for(3, 2)
    args = tuple(torch.from_numpy(example[n]) for n in input_names)
    export(name, model, args, input_names, ["logits"] + present_names, dynamic, opset, cases)


def bert():
    rng = np.random.default_rng(5)
    names = ["input_ids", "attention_mask", "token_type_ids"]

    def inputs_for(seq, padding):
        mask = np.ones((2, seq), dtype=np.int64)
        mask[1, seq - padding:] = 0
        return {"input_ids": rng.integers(0, VOCAB, (2, seq)).astype(np.int64), "attention_mask": mask,
                "token_type_ids": (np.arange(seq) >= seq // 2).astype(np.int64)[None].repeat(2, 0)}

    cases = [(f"seq{seq}", inputs_for(seq, min(2, seq - 1))) for seq in (1, 7, 64)]
    example = inputs_for(5, 1)
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names}
    dynamic["last_hidden_state"] = {0: "batch", 1: "sequence"}
    export("bert", Bert(), tuple(torch.from_numpy(example[n]) for n in names), names, ["last_hidden_state"],
           dynamic, 17, cases)


def main():
    global VOCAB, LAYERS, HIDDEN, HEAD
    torch.manual_seed(0)
    wanted = sys.argv[1:] or ["llama", "gpt2", "bert"]
    if "llama_mask" in wanted:  # the llama weights (same seed), with an attention_mask input
        decoder("llama_mask", LlamaWithMask(), LlamaLayer.KV_HEADS, True, 17, with_mask=True)
    if "llama" in wanted:
        decoder("llama", Llama(), LlamaLayer.KV_HEADS, True, 17)
    if "gpt2" in wanted:
        decoder("gpt2", Gpt2(), HEADS, False, 14)
    if "bert" in wanted:
        bert()
    if "llama_deep" in wanted:  # the Llama narrower and 6 layers deep, whose middle layers compile once
        LAYERS, HIDDEN = 6, 32
        HEAD = HIDDEN // HEADS
        decoder("llama_deep", Llama(), LlamaLayer.KV_HEADS, True, 17)
    if "llama_vocab600" in wanted:  # its own seed: the same weights whatever else is generated
        VOCAB, LAYERS, HIDDEN = 600, 2, 64
        HEAD = HIDDEN // HEADS
        torch.manual_seed(600)
        decoder("llama_vocab600", Llama(), LlamaLayer.KV_HEADS, True, 17, with_cases=False)


if __name__ == "__main__":
    main()
