#!/usr/bin/env bash
# Builds hello_mlp against a freshly compiled mlp for one target, the way an app would,
# runs it (under qemu-aarch64 for aarch64) and checks its numbers.
#   run.sh EDGEC TARGET BUILD_DIR WORK_DIR
set -euo pipefail
edgec=$1 target=$2 build=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
"$edgec" compile "$root/test-suite/models/mlp/mlp.onnx" -o "$work/model" --target "$target"
case "$target" in
  host) cc=cc runtime="$build/runtime/libedgert.a" run=() ;;
  aarch64-linux-gnu) cc=aarch64-linux-gnu-gcc runtime="$build/aarch64/runtime/libedgert.a"
                     run=(qemu-aarch64 -L /usr/aarch64-linux-gnu) ;;
esac
"$cc" -O2 -Wall -Werror "$here/main.c" -I "$work/model" -I "$root/runtime/include" \
  "$work/model/libmlp.a" "$runtime" -lm -o "$work/hello_mlp"
"${run[@]}" "$work/hello_mlp" "$work/model/mlp.weights" > "$work/output.txt"
/usr/bin/python3 "$here/expected.py" "$root/test-suite/models/mlp/mlp.onnx" "$work/output.txt"
