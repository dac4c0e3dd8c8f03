"""Checks the chat app's streamed text against an independent full decode.

Texts are compared as bytes: random byte tokens make sequences that are not UTF-8, which
decode (and so the stream) passes on as they are; they are held in str with Python's
surrogateescape.

Runs WORK/chat on a fixed conversation with sampling (the random test model then gives
random ids, many of them single bytes of multi-byte characters), then `edgec run` from the
same prompt ids with the same sampling for as many tokens: its ids must be the app's and
its generated_text (edge_tokenizer_decode of all of them) must be exactly what the app
streamed, and hold a character outside ASCII (no token of these tokenizers spells one by
itself, so it was split over tokens). Then runs the app again with a stop string taken
from the middle of that text, across a multi-byte character: it must stream exactly the
text before the stop string's first occurrence, and finish with "stop".
"""
import argparse
import json
import shlex
import subprocess
import sys

SYSTEM = "Answer in one line."
USER = "Wie heißt du? 🙂"
MAX_TOKENS = 48


def escaped(char):
    """A byte that was not part of well-formed UTF-8."""
    return 0xDC80 <= ord(char) <= 0xDCFF


def run_app(args, stops=()):
    command = shlex.split(args.runner) + [f"{args.work}/chat", f"{args.work}/llm.edgec/llm.weights", args.tokenizer,
                                          "--template", args.template, "--system", SYSTEM,
                                          "--max-tokens", str(MAX_TOKENS), "--temperature", "1", "--seed", str(args.seed)]
    if args.bos:
        command += ["--bos", args.bos, "--eos", args.eos]
    for stop in stops:
        command += ["--stop", stop]
    result = subprocess.run(command + [USER], capture_output=True, check=False)
    assert result.returncode == 0, f"chat failed ({result.returncode}): {result.stderr.decode(errors='replace')}"
    report = dict(line.split(": ", 1) for line in result.stderr.decode().splitlines() if ": " in line)
    ids = lambda key: [int(i) for i in report[key].split(",")] if report.get(key) else []
    return result.stdout.decode("utf-8", "surrogateescape"), ids("prompt_ids"), ids("generated_ids"), report["finish"]


def full_decode(args, prompt_ids, count):
    command = [args.edgec, "run", f"{args.work}/llm.edgec", "--prompt-ids", ",".join(map(str, prompt_ids)),
               "--tokenizer", args.tokenizer, "--ignore-eos", "--max-tokens", str(count), "--temperature", "1",
               "--seed", str(args.seed), "--json"]
    result = subprocess.run(command, capture_output=True, check=True)
    return json.loads(result.stdout.decode("utf-8", "surrogateescape").splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    for option in ("--edgec", "--work", "--tokenizer", "--template", "--seed"):
        parser.add_argument(option, required=True)
    parser.add_argument("--runner", default="")
    parser.add_argument("--bos")
    parser.add_argument("--eos")
    args = parser.parse_args()
    name = f"chat ({args.template}, seed {args.seed})"

    streamed, prompt_ids, generated, finish = run_app(args)
    assert generated and finish in ("length", "stop"), f"{name}: {len(generated)} ids, finish {finish}"
    expected = full_decode(args, prompt_ids, len(generated))
    assert expected["generated_ids"] == generated, f"{name}: ids {generated}, edgec run {expected['generated_ids']}"
    text = expected["generated_text"]
    assert streamed == text, f"{name}: streamed {streamed!r}\n  decode {text!r}"
    wide = [i for i, c in enumerate(text) if ord(c) > 127 and not escaped(c)]
    assert wide, f"{name}: no multi-byte character in {text!r}: the test would not cover them"

    # A stop string across the multi-byte character (with its neighbours), so the filter
    # holds text back over token boundaries inside it.
    start, end = wide[0], wide[0] + 1
    if start > 0 and not escaped(text[start - 1]):
        start -= 1
    if end < len(text) and not escaped(text[end]):
        end += 1
    stop = text[start:end]
    streamed_stop, _, generated_stop, finish_stop = run_app(args, [stop])
    before = text[:text.index(stop)]
    assert generated_stop == generated[:len(generated_stop)], f"{name}: --stop changed the ids"
    assert finish_stop == "stop", f"{name}: --stop {stop!r}: finish {finish_stop}"
    assert streamed_stop == before, f"{name}: --stop {stop!r}: streamed {streamed_stop!r}\n  expected {before!r}"
    print(f"{name}: {len(generated)} tokens streamed as decoded ({len(wide)} multi-byte characters); "
          f"--stop {stop!r} after {len(generated_stop)} tokens")


if __name__ == "__main__":
    sys.exit(main())
