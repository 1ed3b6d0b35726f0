# Headers, libraries, a CMake package (find_package(soket)) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/soket DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/soket/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/soket)
# The layers install themselves (cmake/layer.cmake); this is the umbrella target.
install(TARGETS soket EXPORT soketTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT soketTargets NAMESPACE soket::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soket)

configure_package_config_file(cmake/soketConfig.cmake.in
  ${PROJECT_BINARY_DIR}/soketConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soket)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/soketConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/soketConfig.cmake ${PROJECT_BINARY_DIR}/soketConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soket)

configure_file(cmake/soket.pc.in ${PROJECT_BINARY_DIR}/soket.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/soket.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
