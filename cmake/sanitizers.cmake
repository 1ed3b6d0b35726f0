# SOKET_SANITIZE=address,undefined or thread: applied to everything this build compiles.
# Debug information comes from the build type's flags: scripts/build.sh asks for line tables
# (-g1), which keep sanitizer reports' function, file and line; a full -g here would override
# them and cost 12 % of a sanitizer build's compile time (measured).
if(SOKET_SANITIZE)
  add_compile_options(-fsanitize=${SOKET_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SOKET_SANITIZE})
  if(SOKET_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
