#!/usr/bin/env bash
# Builds hello_lm for one target the way an app would (CMake, edgec_add_model), runs it
# (under qemu-aarch64 for aarch64) and checks that both sessions generate what
# `edgec run --prompt-ids` generates from the same ids (itself checked against ONNX
# Runtime by test-suite/lm/check_generate.py).
#   run.sh EDGEC TARGET WORK_DIR
set -euo pipefail
edgec=$(realpath "$1") target=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tokenizer="$root/test-suite/tokenizer/sentencepiece-small/tokenizer.json"
prompt="You should have received a copy"
source "$here/../build_app.sh"
# edgec_add_model passed the app's options: q8_0 weights in the report, dotprod on aarch64.
grep -q "	q8_0	" "$work/quant-report.tsv" || { echo "hello_lm: no q8_0 weight in the quantization report"; exit 1; }
if [ "$target" = aarch64-linux-gnu ]; then
  llvm-objdump-22 -d "$work/llama.edgec/libllama.a" > "$work/libllama.dis"
  grep -q "sdot" "$work/libllama.dis" || { echo "hello_lm: FEATURES +dotprod did not reach the library (no sdot)"; exit 1; }
fi
"${run[@]}" "$work/hello_lm" "$work/llama.edgec/llama.weights" "$tokenizer" "$prompt" 24 > "$work/output.txt"
device=()
[ "$target" = vulkan ] && device=(--vulkan-device llvmpipe)
"$edgec" run "$work/llama.edgec" --prompt "$prompt" --tokenizer "$tokenizer" --ignore-eos --max-tokens 24 --json \
  "${device[@]}" > "$work/expected.json"
/usr/bin/python3 - "$work/output.txt" "$work/expected.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
expected = " ".join(map(str, json.loads(open(sys.argv[2]).read().splitlines()[-1])["generated_ids"]))
assert lines[0] == expected, f"first session: {lines[0]!r}, expected {expected!r}"
assert lines[2] == expected, f"forked session: {lines[2]!r}, expected {expected!r}"
print("hello_lm: both sessions generated", len(expected.split()), "tokens as expected:", repr(lines[1][:40]))
PY
