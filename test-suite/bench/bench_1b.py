#!/usr/bin/python3
"""Text generation at the size users ship, side by side with llama.cpp in the same run.

The model is gen_llama_1b.py's TinyLlama-1.1B-shaped Llama (random weights; ONNX for
edgec, the same weights as GGUF for llama.cpp). For each weight format (f32, q8_0, q4_0)
and thread count, both engines prefill a 128-token prompt and decode 64 tokens; printed
per row: prefill and decode tokens/s, the bytes of weights a decoded token reads, decode
as a share of the roofline (the measured streaming bandwidth over those bytes) and the
peak RSS of the process. The machine's bandwidth drifts with its neighbours, so the two
engines take turns, ROUNDS times over (one edgec run, then llama-bench's two repetitions,
per format and thread count), and each row keeps its engine's best figures of the run.

    bench_1b.py --edgec EDGEC --work DIR [--llama-bench PATH] [--threads 1,2] [--formats f32,q8_0,q4_0]

The llama.cpp peer is its own llama-bench (and llama-quantize beside it, which makes its
q8_0 and q4_0 files from the f32 GGUF with --pure, so every matrix has the one format),
built outside this repository; without --llama-bench only edgec's rows are printed. With
it, the two engines are first checked to compute the same model: from the f32 files, the
same prompt, greedy, f32 KV caches on both sides, the first 32 generated ids must be equal
(llama_greedy.c, compiled here against the peer's libllama, is llama.cpp's side).
Never part of the test suite (minutes, and 10 GB of disk). Run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT, DECODE = 128, 64
ROUNDS = 3
SHAPE = {"vocab": 32000, "hidden": 2048}
# Bytes per weight of each format (blocks of 32: f16 scale + 32 int8 or 16 nibble bytes).
BYTES_PER_WEIGHT = {"f32": 4.0, "q8_0": 34 / 32, "q4_0": 18 / 32}


def peak_rss_mb(command):
    """stdout and the peak RSS (MB) of one run, through GNU time's report."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"bench_1b: {' '.join(command[:3])}... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result.stdout, int(result.stderr.strip().splitlines()[-1]) / 1024


def bandwidth(build_dir, threads):
    probe = os.path.join(build_dir, "test-suite", "bandwidth")
    return float(subprocess.run([probe, str(threads)], capture_output=True, text=True, check=True).stdout)


def warm(path):
    """Reads a file once so it is in the page cache, as for an app that has been running:
    edgec maps its weights where they are, and a timing must not include the disk (the
    peer copies its weights into its own memory while loading, before it times). A file
    just written is flushed first, so that no writeback runs beside the timing."""
    os.sync()
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def weights_read_per_token(model_bytes, fmt):
    """Every weight but the embedding table's (a token reads one row of it)."""
    return model_bytes - SHAPE["vocab"] * SHAPE["hidden"] * BYTES_PER_WEIGHT[fmt]


def edgec_compile(args, fmt):
    """The folder edgec compiled `fmt` into."""
    out = os.path.join(args.work, f"edgec-{fmt}")
    quant = [] if fmt == "f32" else ["--quant", fmt]
    subprocess.run([args.edgec, "compile", os.path.join(args.work, "llama.onnx"), "-o", out, "--cpu", "native",
                    *quant], check=True, capture_output=True)
    return out


def edgec_run(args, out, threads, prompt):
    """(prefill tok/s, decode tok/s, peak RSS MB) of one generation."""
    warm(os.path.join(out, "llama.weights"))
    stdout, rss = peak_rss_mb([args.edgec, "run", out, "--json", "--greedy", "--ignore-eos", "--max-tokens",
                               str(DECODE), "--threads", str(threads), "--prompt-ids", ",".join(map(str, prompt))])
    stats = json.loads(stdout)["stats"]
    return stats["prefill_tokens_per_s"], stats["decode_tokens_per_s"], rss


def llama_model(args, fmt):
    """The GGUF file llama.cpp runs for `fmt`, quantized from the f32 one when missing."""
    f32 = os.path.join(args.work, "llama-f32.gguf")
    model = f32 if fmt == "f32" else os.path.join(args.work, f"llama-{fmt}.gguf")
    if not os.path.exists(model):
        quantize = os.path.join(os.path.dirname(args.llama_bench), "llama-quantize")
        subprocess.run([quantize, "--pure", f32, model, fmt], check=True, capture_output=True)
    return model


def llama_run(args, model, threads):
    """(prefill tok/s, decode tok/s, peak RSS MB): the best of llama-bench's repetitions."""
    stdout, rss = peak_rss_mb([args.llama_bench, "-m", model, "-p", str(PROMPT), "-n", str(DECODE), "-t",
                               str(threads), "-r", "2", "-o", "json"])
    tests = json.loads(stdout)
    best = lambda t: max(t.get("samples_ts") or [t["avg_ts"]])  # noqa: E731
    prefill = next(best(t) for t in tests if t["n_prompt"] == PROMPT and t["n_gen"] == 0)
    decode = next(best(t) for t in tests if t["n_gen"] == DECODE and t["n_prompt"] == 0)
    return prefill, decode, rss


def best_of(runs):
    """The best prefill and decode of several runs, and the largest peak RSS."""
    return max(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)


def check_agreement(args, prompt, count=32):
    """edgec's and llama.cpp's greedy ids from the f32 weights; exits when they differ."""
    source = args.llama_src or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.llama_bench))))
    binaries = os.path.dirname(os.path.abspath(args.llama_bench))
    program = os.path.join(args.work, "llama_greedy")
    subprocess.run(["cc", "-O2", os.path.join(HERE, "llama_greedy.c"), "-o", program, "-I", os.path.join(source, "include"),
                    "-I", os.path.join(source, "ggml", "include"), "-L", binaries, "-lllama", "-Wl,-rpath," + binaries],
                   check=True)
    ids = ",".join(map(str, prompt))
    warm(os.path.join(args.work, "llama-f32.gguf"))
    theirs = subprocess.run([program, os.path.join(args.work, "llama-f32.gguf"), str(count), ids], check=True,
                            capture_output=True, text=True).stdout.strip().split(",")
    run = subprocess.run([args.edgec, "run", os.path.join(args.work, "edgec-f32"), "--json", "--greedy", "--ignore-eos", "--max-tokens", str(count),
                          "--prompt-ids", ids], check=True, capture_output=True, text=True)
    ours = [str(i) for i in json.loads(run.stdout)["generated_ids"]]
    if ours != theirs:
        first = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
        sys.exit(f"bench_1b: edgec and llama.cpp disagree at generated token {first}: {ours[first]} against "
                 f"{theirs[first]} (f32 weights, greedy): the two files are not the same model")
    print(f"agreement: edgec and llama.cpp generate the same {count} greedy ids from the f32 weights "
          f"({PROMPT}-token prompt, f32 KV caches)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--work", required=True, help="gen_llama_1b.py's output folder")
    parser.add_argument("--build", default=None, help="edgec's build folder (default: from --edgec)")
    parser.add_argument("--llama-bench", default=None)
    parser.add_argument("--llama-src", default=None, help="llama.cpp's source tree (default: three folders above "
                        "llama-bench, as in its build/bin)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--formats", default="f32,q8_0,q4_0")
    args = parser.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    build = args.build or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.edgec))))
    if args.llama_bench and not os.path.exists(args.llama_bench):
        sys.exit(f"bench_1b: --llama-bench {args.llama_bench}: no such file")
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_llama_1b.py"), args.work], check=True)
    # The roofline: the best streaming read seen, probed at the start and before every turn
    # (this kind of machine's bandwidth drifts with its neighbours).
    bw = {t: bandwidth(build, t) for t in args.threads}

    prompt = [int(x) for x in __import__("numpy").random.default_rng(1).integers(3, SHAPE["vocab"], PROMPT)]

    rows = []
    for fmt in args.formats.split(","):
        out = edgec_compile(args, fmt)
        ours_bytes = weights_read_per_token(os.path.getsize(os.path.join(out, "llama.weights")), fmt)
        if args.llama_bench and fmt == "f32":
            check_agreement(args, prompt)
        model = llama_model(args, fmt) if args.llama_bench else None
        for threads in args.threads:
            ours, theirs = [], []
            for _ in range(ROUNDS):  # turns, so that both engines see the same neighbours
                bw[threads] = max(bw[threads], bandwidth(build, threads))
                ours.append(edgec_run(args, out, threads, prompt))
                if model:
                    theirs.append(llama_run(args, model, threads))
            rows.append(("edgec", fmt, threads, *best_of(ours)[:2], ours_bytes, best_of(ours)[2]))
            if model:
                theirs_bytes = weights_read_per_token(os.path.getsize(model), fmt)
                rows.append(("llama.cpp", fmt, threads, *best_of(theirs)[:2], theirs_bytes, best_of(theirs)[2]))
    print(f"TinyLlama-1.1B shape, random weights; {PROMPT}-token prompt, {DECODE} decoded tokens; streaming read "
          + ", ".join(f"{bw[t]:.1f} GB/s at {t} thread{'s' if t > 1 else ''}" for t in args.threads)
          + f" (the best of the probes during the run); each engine's best of {ROUNDS} turns")
    print("| engine | weights | threads | prefill tok/s | decode tok/s | weights read/token | % of roofline | peak RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    formats = args.formats.split(",")
    for engine, fmt, threads, prefill, decode, per_token, rss in sorted(
            rows, key=lambda r: (formats.index(r[1]), r[2], r[0] != "edgec")):
        roofline = bw[threads] * 1e9 / per_token
        print(f"| {engine} | {fmt} | {threads} | {prefill:.1f} | {decode:.1f} | {per_token / 1e6:.0f} MB | "
              f"{100 * decode / roofline:.0f}% | {rss:.0f} MB |")


if __name__ == "__main__":
    main()
