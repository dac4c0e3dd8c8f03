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
# Bad numbers are one clear line and exit status 2, never a silent default.
for bad in "--max-tokens 12x" "--max-tokens 0" "--temperature warm" "--seed -1"; do
  set +e
  # shellcheck disable=SC2086
  "${run[@]}" "$work/chat" "$work/llm.edgec/llm.weights" "$root/test-suite/tokenizer/sentencepiece/tokenizer.json" \
    --template llama2 $bad "Hello" 2> "$work/bad.txt" > /dev/null
  status=$?
  set -e
  option=${bad%% *}
  [ $status -eq 2 ] && grep -q "^chat: $option: expected" "$work/bad.txt" ||
    { echo "chat $bad: exit $status, stderr: $(cat "$work/bad.txt")"; exit 1; }
done
echo "chat: bad numeric options refused"
