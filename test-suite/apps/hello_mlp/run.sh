#!/usr/bin/env bash
# Builds hello_mlp for one target the way an app would (CMake, edgec_add_model), runs it
# (under qemu-aarch64 for aarch64) and checks its numbers against numpy.
#   run.sh EDGEC TARGET WORK_DIR
set -euo pipefail
edgec=$(realpath "$1") target=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
args=(-S "$here" -B "$work" -G Ninja -DEDGEC="$edgec" -DCMAKE_BUILD_TYPE=Release)
run=()
if [ "$target" = aarch64-linux-gnu ]; then
  args+=(-DCMAKE_TOOLCHAIN_FILE="$root/tools/cmake/aarch64-linux-gnu.cmake")
  run=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
fi
cmake "${args[@]}" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work"
"${run[@]}" "$work/hello_mlp" "$work/mlp.edgec/mlp.weights" > "$work/output.txt"
/usr/bin/python3 "$here/expected.py" "$root/test-suite/models/mlp/mlp.onnx" "$work/output.txt"
