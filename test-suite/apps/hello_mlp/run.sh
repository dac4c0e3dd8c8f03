#!/usr/bin/env bash
# Builds hello_mlp for one target the way an app would (CMake, edgec_add_model), runs it
# (under qemu-aarch64 for aarch64) and checks its numbers against numpy.
#   run.sh EDGEC TARGET WORK_DIR
set -euo pipefail
edgec=$(realpath "$1") target=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/../build_app.sh"
"${run[@]}" "$work/hello_mlp" "$work/mlp.edgec/mlp.weights" > "$work/output.txt"
/usr/bin/python3 "$here/expected.py" "$root/test-suite/models/mlp/mlp.onnx" "$work/output.txt"
