# The one table of ukernel variants, read by runtime/ukernels/CMakeLists.txt (the kernels
# built natively, for their tests) and codegen/CMakeLists.txt (the kernels as bitcode that
# edgec links into models). One row per variant:
#   arch | variant | source (under runtime/ukernels) | compile flags | LLVM target features | weight rows
# The compile flags build the variant; the LLVM features are what a target machine must
# have for codegen to link it; weight rows is 4 for a variant that reads the _x4
# (four rows interleaved) quantized weights edgec then writes for it, 1 for plain rows
# (the variant is compiled with -DUK_ROW_GROUP=<weight rows>). Rows of one arch go from most to least preferred: codegen
# takes the first whose features the target has (generic needs none).
set(EDGE_UKERNEL_VARIANTS
  "x86_64|avx512vnni|arch/x86_64/avx512vnni.c|-march=x86-64-v3,-mavx512f,-mavx512vl,-mavx512bw,-mavx512vnni|+avx2,+fma,+f16c,+avx512f,+avx512vl,+avx512bw,+avx512vnni|4"
  "x86_64|avx2|arch/x86_64/avx2.c|-march=x86-64-v3|+avx2,+fma,+f16c|4"
  "x86_64|generic|generic.c|-march=x86-64||1"
  "aarch64|i8mm|arch/arm64/i8mm.c|-march=armv8.2-a+dotprod+i8mm|+dotprod,+i8mm|1"
  "aarch64|dotprod|arch/arm64/dotprod.c|-march=armv8.2-a+dotprod|+dotprod|1"
  "aarch64|generic|generic.c|-march=armv8-a||1"
  "armv7|neon|arch/armv7/neon.c|-march=armv7-a,-mfpu=neon,-mfloat-abi=hard|+neon|1"
  "armv7|generic|generic.c|-march=armv7-a,-mfpu=vfpv3-d16,-mfloat-abi=hard||1"
  "riscv64|rvv|arch/riscv64/rvv.c|-march=rv64gcv,-mabi=lp64d|+v|1"
  "riscv64|generic|generic.c|-march=rv64gc,-mabi=lp64d||1")

# The Linux triple each arch's bitcode is compiled for (edgec retargets it to the model's
# triple, e.g. an Android or Apple one, when it links it).
macro(edge_ukernel_triple arch out)
  if("${arch}" STREQUAL "armv7")
    set(${out} armv7-linux-gnueabihf)
  else()
    set(${out} ${arch}-linux-gnu)
  endif()
endmacro()

# Splits one row into edge_uk_arch, edge_uk_variant, edge_uk_source, edge_uk_flags (a
# list, -DUK_ROW_GROUP included), edge_uk_features (a comma-separated string) and
# edge_uk_rows, in the caller's scope.
macro(edge_ukernel_variant_fields row)
  string(REPLACE "|" ";" edge_uk_fields "${row}")
  list(GET edge_uk_fields 0 edge_uk_arch)
  list(GET edge_uk_fields 1 edge_uk_variant)
  list(GET edge_uk_fields 2 edge_uk_source)
  list(GET edge_uk_fields 3 edge_uk_flags)
  list(GET edge_uk_fields 4 edge_uk_features)
  list(GET edge_uk_fields 5 edge_uk_rows)
  string(REPLACE "," ";" edge_uk_flags "${edge_uk_flags}")
  list(APPEND edge_uk_flags "-DUK_ROW_GROUP=${edge_uk_rows}")
endmacro()
