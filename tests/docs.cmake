# The docs test (tests/docs/docs_check.py): every C++ block of README.md and docs/**/*.md is
# compiled as a fresh find_package(soket) project (CMake's defaults: -std=gnu++20) and with the
# documented pkg-config command (-std=c++20), and every terminal session the documents show is
# run and compared with what they say it prints. Needs the whole build (installed first). Not
# in sanitizer builds: like tests/consumer, the programs are built as a user's would be,
# without the sanitizer runtime the installed library would need.
if(SOKET_SANITIZE)
  return()
endif()
set(docs_check ${SOKET_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/docs/docs_check.py)
set(docs_work ${CMAKE_CURRENT_BINARY_DIR}/docs_work)

# The checker's own markers (run vary/server, file dir/name) and their one-line refusals.
add_test(NAME docs.checker_markers
         COMMAND ${SOKET_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/docs/docs_check_test.py)

add_test(NAME docs.extract_every_block
         COMMAND ${docs_check} extract --source ${PROJECT_SOURCE_DIR} --build ${PROJECT_BINARY_DIR}
                 --work ${docs_work} --cmake ${CMAKE_COMMAND})
set_tests_properties(docs.extract_every_block PROPERTIES TIMEOUT 300 FIXTURES_SETUP docs_extracted)

add_test(NAME docs.cmake_gnu++20
         COMMAND ${docs_check} cmake --work ${docs_work} --cmake-exe ${CMAKE_COMMAND}
                 --compiler ${CMAKE_CXX_COMPILER} --launcher "${CMAKE_CXX_COMPILER_LAUNCHER}")
set_tests_properties(docs.cmake_gnu++20 PROPERTIES TIMEOUT 900 FIXTURES_REQUIRED docs_extracted
                     FIXTURES_SETUP docs_built RESOURCE_LOCK docs_cpu)

set(docs_ccache "")
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  set(docs_ccache --ccache)  # the same `c++` command, through Debian's ccache directory
endif()
add_test(NAME docs.pkg_config_c++20 COMMAND ${docs_check} pkgconfig --work ${docs_work} ${docs_ccache})
set_tests_properties(docs.pkg_config_c++20 PROPERTIES TIMEOUT 900 FIXTURES_REQUIRED docs_extracted
                     RESOURCE_LOCK docs_cpu)

add_test(NAME docs.sessions_print_what_the_text_says
         COMMAND ${docs_check} run --work ${docs_work})
set_tests_properties(docs.sessions_print_what_the_text_says PROPERTIES TIMEOUT 900
                     FIXTURES_REQUIRED "docs_extracted;docs_built")
