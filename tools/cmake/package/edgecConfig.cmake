# find_package(edgec CONFIG) from an installed edgec (tools/cmake/Install.cmake):
#   edgec::edgert, edgec::edgetok   the runtime and tokenizer for this build's processor
#                                   (the host's, or aarch64 when cross-compiling with
#                                   ${EDGEC_TOOLCHAIN_DIR}/aarch64-linux-gnu.cmake)
#   edgec_add_model(...)            tools/cmake/EdgecModel.cmake, with EDGEC set to the
#                                   installed compiler
#   EDGEC_TOOLCHAIN_DIR             where the toolchain files are
get_filename_component(_edgec_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(EDGEC_TOOLCHAIN_DIR ${CMAKE_CURRENT_LIST_DIR})
if(NOT DEFINED EDGEC)
  set(EDGEC ${_edgec_prefix}/bin/edgec)
endif()

set(_edgec_arch ${CMAKE_SYSTEM_PROCESSOR})
if(_edgec_arch MATCHES "^(AMD64|amd64)$")
  set(_edgec_arch x86_64)
elseif(_edgec_arch MATCHES "^(arm64|ARM64)$")
  set(_edgec_arch aarch64)
endif()
set(_edgec_runtime ${_edgec_prefix}/lib/edgec/${_edgec_arch}/runtime)
if(NOT EXISTS ${_edgec_runtime}/libedgert.a)
  set(edgec_FOUND FALSE)
  set(edgec_NOT_FOUND_MESSAGE "this edgec has no runtime for ${_edgec_arch} (looked in ${_edgec_runtime})")
  return()
endif()

if(NOT TARGET edgec::edgert)
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
endif()
include(${CMAKE_CURRENT_LIST_DIR}/EdgecModel.cmake)
