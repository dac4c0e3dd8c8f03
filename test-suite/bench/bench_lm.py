#!/usr/bin/python3
"""Side-by-side text generation: edgec's paged-KV LM against ONNX Runtime running the same
ONNX model in a past_key_values loop, same prompt, same machine, one run.

    bench_lm.py --edgec EDGEC --work DIR [--ort-dir DIR] [--threads N]

The model is the test-suite's Llama-style decoder (gen_transformers.py) at a larger size:
hidden 512, 8 heads over 2 KV heads, 4 layers, vocabulary 8192 (17M parameters, 68 MB of
f32 weights), exported by torch with random weights. Both generate 64 tokens greedily
after a 32-token prompt; the generated ids must agree (ONNX Runtime is the reference).
Printed per engine: time to first token, prefill and decode tokens/s, and for decode the
weight bytes streamed per second (every decode step reads every weight once). edgec's
code runs on one thread; ONNX Runtime is pinned to --threads intra-op threads (default 1).
edgec also runs the model compiled with --quant q8_0 and q4_0 (bytes/s counted from the
quantized weights file; ONNX Runtime has no such build of this model to compare with).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
import gen_transformers as gt  # noqa: E402

PROMPT, MAX_TOKENS = 32, 64


def export(path):
    gt.VOCAB, gt.HIDDEN, gt.LAYERS, gt.HEADS = 8192, 512, 4, 8
    gt.HEAD = gt.HIDDEN // gt.HEADS
    torch.manual_seed(0)
    model = gt.Llama().eval()
    past = [torch.zeros(1, gt.LlamaLayer.KV_HEADS, 0, gt.HEAD) for _ in range(2 * gt.LAYERS)]
    past_names = gt.decoder_past_names()
    dynamic = {"input_ids": {1: "sequence"}, "position_ids": {1: "sequence"}, "logits": {1: "sequence"}}
    dynamic.update({n: {2: "past_sequence"} for n in past_names})
    dynamic.update({n.replace("past_key_values", "present"): {2: "total_sequence"} for n in past_names})
    ids = torch.zeros(1, 3, dtype=torch.int64)
    torch.onnx.export(model, (ids, torch.arange(3)[None], *past), path,
                      input_names=["input_ids", "position_ids"] + past_names,
                      output_names=["logits"] + [n.replace("past_key_values", "present") for n in past_names],
                      dynamic_axes=dynamic, opset_version=17)
    return sum(p.numel() * 4 for p in model.parameters())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--ort-dir")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model = os.path.join(args.work, "llama_bench.onnx")
    weight_bytes = export(model)
    prompt = np.random.default_rng(1).integers(0, 8192, PROMPT).tolist()
    prompts_file = os.path.join(args.work, "prompts.json")
    json.dump([prompt], open(prompts_file, "w"))

    rows, edgec = [], None
    for quant in ("none", "q8_0", "q4_0"):
        out = os.path.join(args.work, "compiled-" + quant)
        subprocess.run([args.edgec, "compile", model, "-o", out, "--cpu", "native", "--quant", quant], check=True)
        run = subprocess.run([args.edgec, "run", out, "--json", "--greedy", "--max-tokens", str(MAX_TOKENS),
                              "--prompt-ids", ",".join(map(str, prompt))], check=True, capture_output=True, text=True)
        result = json.loads(run.stdout.splitlines()[-1])
        edgec = edgec or result
        stored = weight_bytes if quant == "none" else os.path.getsize(os.path.join(out, "llama_bench.weights"))
        rows.append((f"edgec {'f32' if quant == 'none' else quant} (1 thread)", result["stats"]["ttft_ms"],
                     result["stats"]["prefill_tokens_per_s"], result["stats"]["decode_tokens_per_s"], stored))

    ort = None
    if args.ort_dir and os.path.isdir(os.path.join(args.ort_dir, "node_modules", "onnxruntime-node")):
        env = dict(os.environ, NODE_PATH=os.path.join(args.ort_dir, "node_modules"))
        result = subprocess.run(["node", os.path.join(HERE, "..", "lm", "ort_generate.js"), model, "2", "64",
                                 str(MAX_TOKENS), prompts_file, str(args.threads)],
                                check=True, capture_output=True, text=True, env=env)
        ort = json.loads(result.stdout)["results"][0]
        rows.append((f"ONNX Runtime f32 ({args.threads} thread{'s' if args.threads > 1 else ''})", ort["ttft_ms"],
                     PROMPT * 1e3 / ort["ttft_ms"], ort["decode_tokens_per_s"], weight_bytes))

    print(f"Llama-style decoder, {weight_bytes / 1e6:.1f} MB f32 weights, {PROMPT}-token prompt, "
          f"{MAX_TOKENS} greedy tokens")
    print(f"{'engine':<30}{'TTFT ms':>10}{'prefill tok/s':>15}{'decode tok/s':>14}{'decode GB/s':>13}")
    for name, ttft, prefill, decode, stored in rows:
        print(f"{name:<30}{ttft:>10.2f}{prefill:>15.1f}{decode:>14.1f}{decode * stored / 1e9:>13.2f}")
    if ort:
        same = ort["generated_ids"] == edgec["generated_ids"]
        print(f"edgec f32 generated ids {'equal' if same else 'DIFFER'} (ONNX Runtime as reference)")
    else:
        print("(ONNX Runtime not found: pass --ort-dir with node_modules/onnxruntime-node)")
    print(f"KV cache: peak {edgec['stats']['peak_kv_pages']} pages of {edgec['stats']['kv_page_bytes']} bytes")


if __name__ == "__main__":
    main()
