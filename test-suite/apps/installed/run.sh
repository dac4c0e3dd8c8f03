#!/usr/bin/env bash
# Installs this build into a fresh prefix, moves the prefix (edgec must find its runtimes
# from its own path), and builds hello_lm against it alone, for the host or a Linux cross
# target (run under qemu-user): both sessions must generate what the installed `edgec run` generates from
# the same library. For the host, a C program built with `pkg-config edgert` runs too.
# With from-source, the app builds the runtime from the sources the prefix holds (as it
# does for toolchains without a prebuilt runtime: the NDK, Xcode) instead of linking the
# prebuilt one.
#   run.sh BUILD_DIR TARGET WORK_DIR [from-source]
set -euo pipefail
build=$(realpath "$1") target=$2 work=$3 from_source=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/staging" > "$work/install.log"
mv "$work/staging" "$work/prefix"
prefix="$work/prefix"
if grep -q "$build" "$prefix/bin/edgec"; then echo "installed edgec names the build folder"; exit 1; fi

mkdir "$work/app"
cp "$here/CMakeLists.txt" "$root/test-suite/apps/hello_lm/main.c" "$root/test-suite/models/llama/llama.onnx" "$work/app/"
cp "$root/test-suite/tokenizer/sentencepiece-small/tokenizer.json" "$work/tokenizer.json"
args=(-S "$work/app" -B "$work/app-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release)
source "$root/test-suite/apps/cross.sh"
cross_runner "$target"
[ ${#run[@]} -gt 0 ] && args+=(-DCMAKE_TOOLCHAIN_FILE="$prefix/lib/cmake/edgec/$target.cmake")
[ "$from_source" = from-source ] && args+=(-DEDGEC_RUNTIME_FROM_SOURCE=ON)
cmake "${args[@]}" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/app-build" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
if [ "$from_source" = from-source ]; then
  [ -f "$work/app-build/edgec-runtime/libedgert.a" ] || { echo "the runtime was not built from the prefix's sources"; exit 1; }
  grep -q "$prefix/lib/edgec" "$work/app-build/build.ninja" && { echo "the app still links a prebuilt runtime"; exit 1; }
fi
prompt="You should have received a copy"
"${run[@]}" "$work/app-build/hello_lm" "$work/app-build/llama.edgec/llama.weights" "$work/tokenizer.json" "$prompt" 16 \
  > "$work/output.txt"
"$prefix/bin/edgec" run "$work/app-build/llama.edgec" --prompt "$prompt" --tokenizer "$work/tokenizer.json" \
  --ignore-eos --max-tokens 16 --json > "$work/expected.json"
/usr/bin/python3 - "$work/output.txt" "$work/expected.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
expected = " ".join(map(str, json.loads(open(sys.argv[2]).read().splitlines()[-1])["generated_ids"]))
assert lines[0] == expected and lines[2] == expected, f"sessions {lines[0]!r} / {lines[2]!r}, expected {expected!r}"
print("installed hello_lm: both sessions generated", len(expected.split()), "tokens as the installed edgec run")
PY

if [ "$target" = host ]; then
  cat > "$work/status.c" <<'C'
#include <edge/edgert.h>
#include <stdio.h>
int main(void) {
  edge_status_t status = edge_make_status(EDGE_STATUS_NOT_FOUND, "%s", "probe");
  printf("%s: %s\n", edge_status_code_name(edge_status_code(status)), edge_status_message(status));
  edge_status_free(status);
  return 0;
}
C
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  # shellcheck disable=SC2046
  cc -o "$work/status" "$work/status.c" $(pkg-config --cflags --libs edgert)
  [ "$("$work/status")" = "NOT_FOUND: probe" ] || { echo "pkg-config program printed $("$work/status")"; exit 1; }
  echo "pkg-config edgert: a program built with its flags runs"
fi
