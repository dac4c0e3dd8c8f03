# Sourced by each app's run.sh: builds the app in $here for $target into $work the way an
# app would (CMake + edgec_add_model, the target's toolchain file when cross-compiling) and
# sets `run` to the command prefix that runs its programs (qemu-user for a cross target;
# for vulkan, the device selection).
# Expects: edgec (absolute path), target, work, here, root.
rm -rf "$work" && mkdir -p "$work"
args=(-S "$here" -B "$work" -G Ninja -DEDGEC="$edgec" -DCMAKE_BUILD_TYPE=Release)
source "$root/test-suite/apps/cross.sh"
cross_runner "$target"
if [ ${#run[@]} -gt 0 ]; then
  args+=(-DCMAKE_TOOLCHAIN_FILE="$root/tools/cmake/$target.cmake")
elif [ "$target" = vulkan ]; then
  # The model's kernels as SPIR-V in the static library; run on Mesa's lavapipe.
  args+=(-DEDGEC_MODEL_TARGET=vulkan)
  run=(env EDGE_VULKAN_DEVICE=llvmpipe)
fi
cmake "${args[@]}" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work"
