# Structural checks: every public header compiles on its own, and only src/linux/ includes
# Linux-specific system headers (STYLE.md 7.4).

# One generated translation unit per public header, compiled into a library: a header that
# forgets an include fails the build.
file(GLOB_RECURSE soket_public_headers CONFIGURE_DEPENDS
     RELATIVE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/include/soket/*.hpp)
set(header_tus)
foreach(header ${soket_public_headers})
  string(MAKE_C_IDENTIFIER ${header} id)
  set(tu ${CMAKE_CURRENT_BINARY_DIR}/headers/${id}.cpp)
  file(CONFIGURE OUTPUT ${tu} CONTENT "#include <${header}>\n#include <${header}>  // twice: include guards\n")
  list(APPEND header_tus ${tu})
endforeach()
add_library(soket_header_tests STATIC ${header_tus})
target_link_libraries(soket_header_tests PRIVATE soket::soket soket_warnings)

add_test(NAME structure.linux_headers_only_in_src_linux
         COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/check_linux_includes.cmake)

# Formatting follows .clang-format (Debian 12's clang-format 14, installed by scripts/setup.sh).
find_program(SOKET_CLANG_FORMAT NAMES clang-format-14 clang-format)
if(SOKET_CLANG_FORMAT)
  add_test(NAME structure.clang_format
           COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -DCLANG_FORMAT=${SOKET_CLANG_FORMAT}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/check_format.cmake)
endif()
