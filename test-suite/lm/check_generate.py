"""Greedy generation through edgec's paged KV path equals the reference, token for token.

The reference (MODEL/generate.json) is ONNX Runtime running the original ONNX model in a
full past_key_values loop (ort_generate.js, regenerated with `--update`). The compiled
model generates the same prompts:
  - all sessions at once, prompts prefilled in chunks of 3 while other sessions decode,
    with 4-token KV pages, so every step mixes sessions, chunks and page boundaries, on
    3 threads;
  - each prompt alone (--sequential), with the default chunk and page size;
  - the prompts that share a prefix forked from one prefill of it (copy-on-write pages),
    which must also take fewer KV pages than running them apart.
Any difference fails, naming the session and the first differing token. Compiled with
q4_0 weights (whose matmul ukernels split their output columns over the threads), the
tokens of all sessions at once must be the same for 1, 2 and 4 threads, and the same as
each session alone. Then text in:
--prompt through a tokenizer.json gives the ids SentencePiece gives (plus <s>) and the
same generation as those ids given directly; for the Llama models, --stop TEXT ends the
text just before TEXT (finish "stop"), and is refused without a tokenizer.
"""
import argparse
import json
import os
import subprocess
import sys


TOKENIZER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tokenizer", "sentencepiece-small")


def run(edgec, compiled, prompts, extra):
    command = [edgec, "run", compiled, "--json", "--greedy", "--max-tokens", str(MAX_TOKENS)]
    for prompt in prompts:
        command += ["--prompt-ids", ",".join(map(str, prompt))]
    result = subprocess.run(command + extra, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command + extra)} failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def compare(label, sessions, expected):
    failures = 0
    for session, reference in zip(sessions, expected):
        got, want = session["generated_ids"], reference["generated_ids"]
        assert session["prompt_ids"] == reference["prompt_ids"]
        if got != want:
            first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            print(f"FAIL {label}: prompt {reference['prompt_ids']}: token {first} is "
                  f"{got[first] if first < len(got) else None}, expected {want[first] if first < len(want) else None}")
            failures += 1
    if len(sessions) != len(expected):
        print(f"FAIL {label}: {len(sessions)} sessions reported, expected {len(expected)}")
        failures += 1
    if not failures:
        print(f"ok   {label}: {len(expected)} sessions x {MAX_TOKENS} tokens equal the reference")
    return failures


def main():
    global MAX_TOKENS
    parser = argparse.ArgumentParser()
    parser.add_argument("--edgec", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--model", required=True, help="folder with one .onnx and generate.json")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    reference = json.load(open(os.path.join(args.model, "generate.json")))
    MAX_TOKENS = reference["max_tokens"]
    expected = reference["results"]
    onnx = [f for f in os.listdir(args.model) if f.endswith(".onnx")]
    compiled = os.path.join(args.work, "compiled")
    subprocess.run([args.edgec, "compile", os.path.join(args.model, onnx[0]), "-o", compiled, "--target", args.target],
                   check=True)

    prompts = [r["prompt_ids"] for r in expected]
    failures = compare("concurrent, chunked prefill, 3 threads",
                       run(args.edgec, compiled, prompts, ["--prefill-chunk", "3", "--kv-page-tokens", "4",
                                                                "--threads", "3"]), expected)
    failures += compare("one session at a time", run(args.edgec, compiled, prompts, ["--sequential"]), expected)

    # Prompts that extend the longest base prompt share its pages.
    base = max(prompts[:4], key=len)
    family = [i for i, p in enumerate(prompts) if p[:len(base)] == base]
    forked = run(args.edgec, compiled, [prompts[i] for i in family],
                 ["--fork-prefix", str(len(base)), "--kv-page-tokens", "4"])
    failures += compare("forked from a shared prefix", forked, [expected[i] for i in family])
    apart = run(args.edgec, compiled, [prompts[i] for i in family], ["--kv-page-tokens", "4"])
    shared_peak, apart_peak = forked[0]["stats"]["peak_kv_pages"], apart[0]["stats"]["peak_kv_pages"]
    print(f"KV pages, {len(family)} sessions: peak {shared_peak} sharing the {len(base)}-token prefix, "
          f"{apart_peak} without")
    if not shared_peak < apart_peak:
        print("FAIL shared prefix pages are not counted once")
        failures += 1

    quantized = os.path.join(args.work, "compiled-q4_0")
    subprocess.run([args.edgec, "compile", os.path.join(args.model, onnx[0]), "-o", quantized, "--target", args.target,
                    "--quant", "q4_0"], check=True)
    by_threads = {t: run(args.edgec, quantized, prompts, ["--prefill-chunk", "3", "--threads", str(t)]) for t in (1, 2, 4)}
    for t in (2, 4):
        failures += compare(f"q4_0, concurrent, {t} threads as 1 thread", by_threads[t], by_threads[1])
    failures += compare("q4_0, one session at a time as all at once",
                        run(args.edgec, quantized, prompts, ["--sequential", "--threads", "2"]), by_threads[1])

    case = json.load(open(os.path.join(TOKENIZER, "reference.json")))["cases"][1]
    text = run(args.edgec, compiled, [], ["--prompt", case["text"], "--tokenizer",
                                          os.path.join(TOKENIZER, "tokenizer.json"), "--ignore-eos"])[0]
    ids = run(args.edgec, compiled, [[1] + case["ids"]], [])[0]
    if text["prompt_ids"] != [1] + case["ids"] or text["generated_ids"] != ids["generated_ids"]:
        print(f"FAIL --prompt through the tokenizer: prompt ids {text['prompt_ids']}, expected {[1] + case['ids']}")
        failures += 1
    else:
        print(f"ok   --prompt through tokenizer.json: {len(text['prompt_ids'])} ids as SentencePiece gives them, "
              f"text out: {text['generated_text'][:40]!r}...")
    if os.path.basename(os.path.normpath(args.model)).startswith("llama"):  # gpt2's greedy text is one character
        failures += check_stop_string(args.edgec, compiled, case["text"], text["generated_text"])
    return 1 if failures else 0


def check_stop_string(edgec, compiled, prompt, full_text):
    """--stop: the text ends just before the first occurrence of the stop string (which
    spans tokens wherever they split it), and the finish reason is "stop"."""
    tokenizer = os.path.join(TOKENIZER, "tokenizer.json")
    # Three printable ASCII characters from the middle on (the text of a random model may
    # hold U+FFFD where bytes were not valid UTF-8; a stop string is matched on bytes).
    # Its first occurrence must not open the text, so that some text comes before it.
    starts = [i for i in range(len(full_text) // 2, len(full_text) - 2)
              if all(" " <= c <= "~" for c in full_text[i:i + 3]) and full_text.index(full_text[i:i + 3]) > 0]
    stop = full_text[starts[0]:starts[0] + 3] if starts else ""
    if not stop:
        print(f"FAIL --stop: the generated text {full_text!r} is too short to take a stop string from")
        return 1
    got = run(edgec, compiled, [], ["--prompt", prompt, "--tokenizer", tokenizer, "--ignore-eos", "--stop", stop])[0]
    expected = full_text[:full_text.index(stop)]
    if got["generated_text"] != expected or got["finish"] != "stop":
        print(f"FAIL --stop {stop!r}: text {got['generated_text']!r} finish {got['finish']!r}, expected {expected!r} and stop")
        return 1
    refused = subprocess.run([edgec, "run", compiled, "--prompt-ids", "1,2,3", "--stop", stop], capture_output=True, text=True)
    if refused.returncode == 0 or "--tokenizer" not in refused.stderr:
        print(f"FAIL --stop without --tokenizer: exit {refused.returncode}, {refused.stderr.strip()!r}")
        return 1
    print(f"ok   --stop {stop!r}: {len(expected)} characters before it, finish stop; without a tokenizer refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
