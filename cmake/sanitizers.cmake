# SOKET_SANITIZE=address,undefined or thread: applied to everything this build compiles.
if(SOKET_SANITIZE)
  add_compile_options(-fsanitize=${SOKET_SANITIZE} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${SOKET_SANITIZE})
  if(SOKET_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
