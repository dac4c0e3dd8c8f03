# edgec_add_model(<target> MODEL <model.onnx> [NAME <c-name>] [EDGEC_TARGET <target>]
#                 [CPU <cpu>] [FEATURES <+f,-g>] [QUANT <none|q8_0|q4_0|q4_1|mixed>]
#                 [QUANT_OVERRIDES <pattern=format>...] [QUANT_REPORT <file>]
#                 [PAGED_KV <auto|off>] [EDGEC <path-to-edgec>])
#
# Compiles an ONNX model with edgec at build time and makes <target> a static library
# target that an app links like any other:
#
#   include(path/to/edgec/tools/cmake/EdgecModel.cmake)
#   add_subdirectory(path/to/edgec/runtime edgert)          # libedgert for this toolchain
#   edgec_add_model(mlp MODEL ${CMAKE_SOURCE_DIR}/mlp.onnx QUANT q8_0)
#   target_link_libraries(app PRIVATE mlp edgert m)
#   # ship $<TARGET_PROPERTY:mlp,EDGEC_WEIGHTS> (NAME.weights) next to the app
#
# Each option is `edgec compile`'s of the same name (--cpu, --features, --quant,
# --quant-override, --quant-report, --paged-kv); an argument the function does not know is
# an error. EDGEC_TARGET defaults to the cache variable EDGEC_MODEL_TARGET when set (e.g.
# vulkan: the app then needs libedgert built with Vulkan, and runs on the GPU), else from
# the toolchain (edgec_target_for_toolchain below): the Linux triple of
# CMAKE_SYSTEM_PROCESSOR when the build cross-compiles (aarch64, armv7, riscv64),
# aarch64-linux-android with the NDK's toolchain file for arm64-v8a, arm64-apple-ios or
# -macos for Apple's arm64, host otherwise. EDGEC defaults to `edgec` on PATH (or the EDGEC cache
# variable). The model is compiled again when the .onnx or the options change (Ninja
# notices a changed command line), and when EDGEC is this build's own edgec target and it
# is rebuilt.
# The name edgec gives the architecture of a CMAKE_SYSTEM_PROCESSOR value, into `out`:
# x86_64, aarch64, armv7 or riscv64 (the folders of lib/edgec/<arch>), else the value as it is.
function(edgec_arch_of_processor processor out)
  if(processor MATCHES "^(x86_64|AMD64|amd64)$")
    set(${out} x86_64 PARENT_SCOPE)
  elseif(processor MATCHES "^(aarch64|arm64|ARM64)$")
    set(${out} aarch64 PARENT_SCOPE)
  elseif(processor MATCHES "^armv7")
    set(${out} armv7 PARENT_SCOPE)
  else()
    set(${out} ${processor} PARENT_SCOPE)
  endif()
endfunction()

# The edgec --target for this build's toolchain, into `out`; an error for a platform
# edgec has no target for.
function(edgec_target_for_toolchain out)
  edgec_arch_of_processor("${CMAKE_SYSTEM_PROCESSOR}" arch)
  set(linux_targets x86_64 x86_64-linux-gnu aarch64 aarch64-linux-gnu armv7 armv7-linux-gnueabihf
                    riscv64 riscv64-linux-gnu)
  list(FIND linux_targets ${arch} at)
  if(CMAKE_SYSTEM_NAME STREQUAL "Android")
    if(NOT arch STREQUAL "aarch64")
      message(FATAL_ERROR "edgec_add_model: Android ${CMAKE_SYSTEM_PROCESSOR}: edgec targets arm64-v8a (aarch64) only")
    endif()
    set(${out} aarch64-linux-android PARENT_SCOPE)
  elseif(CMAKE_SYSTEM_NAME STREQUAL "iOS")
    set(${out} arm64-apple-ios PARENT_SCOPE)
  elseif(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
    set(${out} arm64-apple-macos PARENT_SCOPE)
  elseif(NOT CMAKE_CROSSCOMPILING)
    set(${out} host PARENT_SCOPE)
  elseif(at GREATER_EQUAL 0)
    math(EXPR at "${at} + 1")
    list(GET linux_targets ${at} target)
    set(${out} ${target} PARENT_SCOPE)
  else()
    message(FATAL_ERROR "edgec_add_model: no edgec target for ${CMAKE_SYSTEM_NAME} ${CMAKE_SYSTEM_PROCESSOR}; pass EDGEC_TARGET")
  endif()
endfunction()

function(edgec_add_model target)
  cmake_parse_arguments(ARG "" "MODEL;NAME;EDGEC_TARGET;CPU;FEATURES;QUANT;QUANT_REPORT;PAGED_KV;EDGEC"
                        "QUANT_OVERRIDES" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "edgec_add_model(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "edgec_add_model(${target}): MODEL is required")
  endif()
  if(NOT ARG_EDGEC)
    if(DEFINED EDGEC)
      set(ARG_EDGEC ${EDGEC})
    else()
      find_program(ARG_EDGEC edgec REQUIRED)
    endif()
  endif()
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME ${ARG_MODEL} NAME_WE)
    string(MAKE_C_IDENTIFIER ${ARG_NAME} ARG_NAME)
  endif()
  if(NOT ARG_EDGEC_TARGET AND EDGEC_MODEL_TARGET)
    set(ARG_EDGEC_TARGET ${EDGEC_MODEL_TARGET})
  endif()
  if(NOT ARG_EDGEC_TARGET)
    edgec_target_for_toolchain(ARG_EDGEC_TARGET)
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}.edgec)
  set(options_args)
  foreach(pair "CPU;--cpu" "FEATURES;--features" "QUANT;--quant" "QUANT_REPORT;--quant-report" "PAGED_KV;--paged-kv")
    list(GET pair 0 key)
    list(GET pair 1 flag)
    if(DEFINED ARG_${key})
      list(APPEND options_args ${flag} ${ARG_${key}})
    endif()
  endforeach()
  foreach(override ${ARG_QUANT_OVERRIDES})
    list(APPEND options_args --quant-override ${override})
  endforeach()
  # EDGEC may name the edgec target of the same build: the model is then compiled again
  # whenever edgec is rebuilt.
  set(depends ${ARG_MODEL})
  if(TARGET ${ARG_EDGEC})
    list(APPEND depends ${ARG_EDGEC})
  endif()
  set(byproducts)
  if(DEFINED ARG_QUANT_REPORT) # the table and its plot beside it
    get_filename_component(report_dir ${ARG_QUANT_REPORT} DIRECTORY)
    get_filename_component(report_stem ${ARG_QUANT_REPORT} NAME_WLE)
    set(byproducts BYPRODUCTS ${ARG_QUANT_REPORT} ${report_dir}/${report_stem}.svg)
  endif()
  add_custom_command(
    OUTPUT ${out}/lib${ARG_NAME}.a ${out}/${ARG_NAME}.h ${out}/${ARG_NAME}.weights
    ${byproducts}
    COMMAND ${ARG_EDGEC} compile ${ARG_MODEL} -o ${out} --name ${ARG_NAME} --target ${ARG_EDGEC_TARGET} ${options_args}
    DEPENDS ${depends}
    COMMENT "edgec: compiling ${ARG_MODEL} for ${ARG_EDGEC_TARGET}"
    VERBATIM)
  add_custom_target(${target}_edgec DEPENDS ${out}/lib${ARG_NAME}.a)
  file(MAKE_DIRECTORY ${out})
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${out}/lib${ARG_NAME}.a
    INTERFACE_INCLUDE_DIRECTORIES ${out}
    EDGEC_WEIGHTS ${out}/${ARG_NAME}.weights)
  add_dependencies(${target} ${target}_edgec)
endfunction()
