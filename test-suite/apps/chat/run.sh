#!/usr/bin/env bash
# Builds chat for one target the way an app would (CMake, edgec_add_model), runs it (under
# qemu-user for a cross target) and checks its streaming with check_stream.py: for a byte-
# level BPE and a SentencePiece-style tokenizer, the text it printed piece by piece equals
# the full decode of its generated ids by `edgec run` (which samples the same ids), and
# with a stop string, the text before it.
#   run.sh EDGEC TARGET WORK_DIR
set -euo pipefail
edgec=$(realpath "$1") target=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/../build_app.sh"
# Seeds where the random model's reply has a multi-byte character (check_stream.py asserts it).
/usr/bin/python3 "$here/check_stream.py" --edgec "$edgec" --work "$work" --runner "${run[*]}" --seed 17 \
  --tokenizer "$root/test-suite/tokenizer/byte-level-600/tokenizer.json" --template chatml
/usr/bin/python3 "$here/check_stream.py" --edgec "$edgec" --work "$work" --runner "${run[*]}" --seed 1 \
  --tokenizer "$root/test-suite/tokenizer/sentencepiece/tokenizer.json" --template llama2 --bos "<s>" --eos "</s>"
