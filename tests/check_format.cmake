# Fails if a C/C++ source would be changed by clang-format (.clang-format). Run with
# -DROOT=<source dir> -DCLANG_FORMAT=<program>. Fix with: clang-format -i <file>.
file(GLOB_RECURSE files ${ROOT}/include/*.hpp ${ROOT}/src/*.cpp ${ROOT}/src/*.hpp
     ${ROOT}/tools/*.cpp ${ROOT}/tools/*.hpp ${ROOT}/tests/*.cpp ${ROOT}/tests/*.hpp
     ${ROOT}/examples/*.cpp ${ROOT}/examples/*.hpp ${ROOT}/bench/*.cpp ${ROOT}/bench/*.c
     ${ROOT}/fuzz/*.cpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format would change these files (run clang-format -i):\n${out}")
endif()
