# Warnings live on an INTERFACE target so they apply to soket's own code only, never to consumers.
add_library(soket_warnings INTERFACE)
target_compile_options(soket_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor -Wcast-align
  -Wimplicit-fallthrough $<$<BOOL:${SOKET_WERROR}>:-Werror>)
