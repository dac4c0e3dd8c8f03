# `cmake --install build --prefix P`: the compiler, the runtimes it links programs against
# and apps link, the headers, and the CMake package and pkg-config file that find them.
#
#   P/bin/edgec, P/bin/edge-opt
#   P/include/edge/*.h                          the runtime's C API and ABI headers
#   P/lib/edgec/<arch>/runtime/libedgert.a      (and libedgetok.a, libedgert.link)
#   P/lib/edgec/<arch>/tools/edge-run/libedge-run-main.a   what `edgec run` links
#   P/lib/cmake/edgec/                          find_package(edgec CONFIG), EdgecModel.cmake,
#                                               the toolchain files
#   P/lib/pkgconfig/edgert.pc                   the host runtime for pkg-config
#   P/share/edgec/runtime/                      the runtime's sources (C11), which
#                                               find_package(edgec) builds for other toolchains
#
# <arch> is the host's (x86_64 or aarch64) and each cross runtime built (aarch64, armv7,
# riscv64: EDGEC_CROSS_ARCHES). edgec
# finds the runtimes relative to its own path, so the prefix can move.
include(GNUInstallDirs)
include(${CMAKE_CURRENT_LIST_DIR}/EdgecModel.cmake)
edgec_arch_of_processor("${CMAKE_SYSTEM_PROCESSOR}" EDGEC_HOST_ARCH)
# Always lib/ (not a multiarch libdir): edgec and edgecConfig.cmake find the rest from it.
set(edgec_lib lib/edgec)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/edge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The runtime's sources, for toolchains without a prebuilt runtime (the NDK, Xcode):
# find_package(edgec) builds them in the app's project.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/ DESTINATION share/edgec/runtime
        FILES_MATCHING PATTERN "*.c" PATTERN "*.h" PATTERN "CMakeLists.txt" PATTERN "*.cmake")
install(TARGETS edgert edgetok ARCHIVE DESTINATION ${edgec_lib}/${EDGEC_HOST_ARCH}/runtime)
install(FILES ${PROJECT_BINARY_DIR}/runtime/libedgert.link DESTINATION ${edgec_lib}/${EDGEC_HOST_ARCH}/runtime)
install(TARGETS edge-run-main ARCHIVE DESTINATION ${edgec_lib}/${EDGEC_HOST_ARCH}/tools/edge-run)
if(TARGET edgec)
  # They keep finding LLVM's and MLIR's shared libraries (in /usr/lib/llvm-22/lib, off the
  # loader's path) once installed.
  set_target_properties(edgec edge-opt PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
  install(TARGETS edgec edge-opt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
foreach(arch ${EDGEC_CROSS_ARCHES})
  install(DIRECTORY ${PROJECT_BINARY_DIR}/${arch}/runtime/ DESTINATION ${edgec_lib}/${arch}/runtime
          FILES_MATCHING PATTERN "*.a" PATTERN "*.link" PATTERN "CMakeFiles" EXCLUDE PATTERN "ukernels" EXCLUDE)
  install(FILES ${PROJECT_BINARY_DIR}/${arch}/edge-run/libedge-run-main.a DESTINATION ${edgec_lib}/${arch}/tools/edge-run)
endforeach()

include(CMakePackageConfigHelpers)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/edgecConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_SOURCE_DIR}/tools/cmake/package/edgecConfig.cmake
              ${PROJECT_BINARY_DIR}/package/edgecConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/tools/cmake/EdgecModel.cmake
              ${PROJECT_SOURCE_DIR}/tools/cmake/debian-cross.cmake
              ${PROJECT_SOURCE_DIR}/tools/cmake/aarch64-linux-gnu.cmake
              ${PROJECT_SOURCE_DIR}/tools/cmake/armv7-linux-gnueabihf.cmake
              ${PROJECT_SOURCE_DIR}/tools/cmake/riscv64-linux-gnu.cmake
        DESTINATION lib/cmake/edgec)
configure_file(${PROJECT_SOURCE_DIR}/tools/cmake/package/edgert.pc.in ${PROJECT_BINARY_DIR}/package/edgert.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/edgert.pc DESTINATION lib/pkgconfig)
