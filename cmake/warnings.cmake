# Warnings live on an INTERFACE target so they apply to soket's own code only, never to consumers.
add_library(soket_warnings INTERFACE)
target_compile_options(soket_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor -Wcast-align
  -Wimplicit-fallthrough $<$<BOOL:${SOKET_WERROR}>:-Werror>)

# -Wconversion -Wsign-conversion on the library layers only (the targets soket_add_layer
# declares: the ones with an EXPORT_NAME), not on tests, tools or examples. On, and errors
# with SOKET_WERROR like the rest.
option(SOKET_WCONVERSION "Warn about implicit narrowing and sign conversions in the library" ON)
if(SOKET_WCONVERSION)
  target_compile_options(soket_warnings INTERFACE
    $<$<BOOL:$<TARGET_PROPERTY:EXPORT_NAME>>:-Wconversion;-Wsign-conversion>)
endif()
