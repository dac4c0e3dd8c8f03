# edgec_add_model(<target> MODEL <model.onnx> [NAME <c-name>] [EDGEC_TARGET <target>]
#                 [CPU <cpu>] [EDGEC <path-to-edgec>])
#
# Compiles an ONNX model with edgec at build time and makes <target> a static library
# target that an app links like any other:
#
#   include(path/to/edgec/tools/cmake/EdgecModel.cmake)
#   add_subdirectory(path/to/edgec/runtime edgert)          # libedgert for this toolchain
#   edgec_add_model(mlp MODEL ${CMAKE_SOURCE_DIR}/mlp.onnx)
#   target_link_libraries(app PRIVATE mlp edgert m)
#   # ship $<TARGET_PROPERTY:mlp,EDGEC_WEIGHTS> (NAME.weights) next to the app
#
# EDGEC_TARGET defaults to the cache variable EDGEC_MODEL_TARGET when set (e.g. vulkan:
# the app then needs libedgert built with Vulkan, and runs on the GPU), else from the
# toolchain: aarch64-linux-gnu when CMAKE_SYSTEM_PROCESSOR is aarch64 and the build
# cross-compiles, host otherwise. EDGEC defaults to `edgec` on
# PATH (or the EDGEC cache variable). The model is recompiled when the .onnx changes.
function(edgec_add_model target)
  cmake_parse_arguments(ARG "" "MODEL;NAME;EDGEC_TARGET;CPU;EDGEC" "" ${ARGN})
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
    if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
      set(ARG_EDGEC_TARGET aarch64-linux-gnu)
    else()
      set(ARG_EDGEC_TARGET host)
    endif()
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}.edgec)
  set(cpu_args)
  if(ARG_CPU)
    set(cpu_args --cpu ${ARG_CPU})
  endif()
  # EDGEC may name the edgec target of the same build: the model is then compiled again
  # whenever edgec is rebuilt.
  set(depends ${ARG_MODEL})
  if(TARGET ${ARG_EDGEC})
    list(APPEND depends ${ARG_EDGEC})
  endif()
  add_custom_command(
    OUTPUT ${out}/lib${ARG_NAME}.a ${out}/${ARG_NAME}.h ${out}/${ARG_NAME}.weights
    COMMAND ${ARG_EDGEC} compile ${ARG_MODEL} -o ${out} --name ${ARG_NAME} --target ${ARG_EDGEC_TARGET} ${cpu_args}
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
