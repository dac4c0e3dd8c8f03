# find_package(edgec CONFIG) from an installed edgec (tools/cmake/Install.cmake):
#   edgec::edgert, edgec::edgetok   the runtime and tokenizer for this build's toolchain:
#                                   the prebuilt ones for the host or a Linux cross target
#                                   (${EDGEC_TOOLCHAIN_DIR}/<triple>.cmake: aarch64-linux-gnu,
#                                   armv7-linux-gnueabihf, riscv64-linux-gnu); for any other
#                                   toolchain (Android's NDK, Apple's Xcode), or with
#                                   EDGEC_RUNTIME_FROM_SOURCE set, built in this project from
#                                   the runtime sources installed with edgec
#   edgec_add_model(...)            tools/cmake/EdgecModel.cmake, with EDGEC set to the
#                                   installed compiler
#   EDGEC_TOOLCHAIN_DIR             where the toolchain files are
get_filename_component(_edgec_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(EDGEC_TOOLCHAIN_DIR ${CMAKE_CURRENT_LIST_DIR})
if(NOT DEFINED EDGEC)
  set(EDGEC ${_edgec_prefix}/bin/edgec)
endif()
option(EDGEC_RUNTIME_FROM_SOURCE "Build edgec's runtime from its installed sources, even where a prebuilt one exists" OFF)

include(${CMAKE_CURRENT_LIST_DIR}/EdgecModel.cmake)
edgec_arch_of_processor("${CMAKE_SYSTEM_PROCESSOR}" _edgec_arch)
set(_edgec_runtime ${_edgec_prefix}/lib/edgec/${_edgec_arch}/runtime)
# The prebuilt runtimes are Linux (glibc) libraries.
set(_edgec_prebuilt FALSE)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND EXISTS ${_edgec_runtime}/libedgert.a AND NOT EDGEC_RUNTIME_FROM_SOURCE)
  set(_edgec_prebuilt TRUE)
endif()

if(NOT TARGET edgec::edgert AND _edgec_prebuilt)
  find_package(Threads REQUIRED)
  # Libraries the runtime was built against (the Vulkan loader, when it has that backend).
  file(READ ${_edgec_runtime}/libedgert.link _edgec_extra)
  string(STRIP "${_edgec_extra}" _edgec_extra)
  add_library(edgec::edgert STATIC IMPORTED)
  set_target_properties(edgec::edgert PROPERTIES
    IMPORTED_LOCATION ${_edgec_runtime}/libedgert.a
    INTERFACE_INCLUDE_DIRECTORIES ${_edgec_prefix}/include
    INTERFACE_LINK_LIBRARIES "Threads::Threads;m;${_edgec_extra}")
  add_library(edgec::edgetok STATIC IMPORTED)
  set_target_properties(edgec::edgetok PROPERTIES
    IMPORTED_LOCATION ${_edgec_runtime}/libedgetok.a
    INTERFACE_LINK_LIBRARIES edgec::edgert)
elseif(NOT TARGET edgec::edgert)
  if(NOT EXISTS ${_edgec_prefix}/share/edgec/runtime/CMakeLists.txt)
    set(edgec_FOUND FALSE)
    set(edgec_NOT_FOUND_MESSAGE "this edgec has neither a runtime for ${CMAKE_SYSTEM_NAME} ${_edgec_arch} nor its sources")
    return()
  endif()
  # Plain C11 and POSIX threads: it builds with the app's own toolchain.
  add_subdirectory(${_edgec_prefix}/share/edgec/runtime ${CMAKE_BINARY_DIR}/edgec-runtime EXCLUDE_FROM_ALL)
  add_library(edgec::edgert ALIAS edgert)
  add_library(edgec::edgetok ALIAS edgetok)
endif()
