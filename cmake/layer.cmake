# soket_add_layer(<name> SOURCES <files...> [DEPENDS <targets...>])
# Defines the library soket_<name> (alias soket::<name>, exported as soket::<name>), linked
# PUBLIC to the layers below it that it DEPENDS on, installed, and added to the umbrella
# target soket::soket. Every layer is declared this way: core, io, server, event.
function(soket_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  set(target soket_${name})
  add_library(${target} ${ARG_SOURCES})
  add_library(soket::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${ARG_DEPENDS}
                        PRIVATE $<BUILD_INTERFACE:soket_warnings>)
  target_link_libraries(soket INTERFACE ${target})
  install(TARGETS ${target} EXPORT soketTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
