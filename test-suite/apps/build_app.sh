# Sourced by each app's run.sh: builds the app in $here for $target into $work the way an
# app would (CMake + edgec_add_model, the aarch64 toolchain file when cross-compiling) and
# sets `run` to the command prefix that runs its programs (qemu-aarch64 for aarch64; for
# vulkan, the device selection).
# Expects: edgec (absolute path), target, work, here, root.
rm -rf "$work" && mkdir -p "$work"
args=(-S "$here" -B "$work" -G Ninja -DEDGEC="$edgec" -DCMAKE_BUILD_TYPE=Release)
run=()
if [ "$target" = aarch64-linux-gnu ]; then
  args+=(-DCMAKE_TOOLCHAIN_FILE="$root/tools/cmake/aarch64-linux-gnu.cmake")
  run=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
elif [ "$target" = vulkan ]; then
  # The model's kernels as SPIR-V in the static library; run on Mesa's lavapipe.
  args+=(-DEDGEC_MODEL_TARGET=vulkan)
  run=(env EDGE_VULKAN_DEVICE=llvmpipe)
fi
cmake "${args[@]}" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work"
