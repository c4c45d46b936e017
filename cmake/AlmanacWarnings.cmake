# Compiler flags shared by every target: Abseil's GCC warning list plus -Wshadow.
set(ALM_WARNING_FLAGS
  -Wall -Wextra -Wshadow -Wcast-qual -Wconversion-null -Wformat-security
  -Wmissing-declarations -Woverlength-strings -Wpointer-arith -Wundef
  -Wunused-local-typedefs -Wunused-result -Wvarargs -Wvla -Wwrite-strings
  -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(ALM_WERROR)
  list(APPEND ALM_WARNING_FLAGS -Werror)
endif()

# Appended after the build type's flags, so it overrides their -g (GCC and clang: the last -g
# option wins).
if(ALM_DEBUG_INFO STREQUAL "lines")
  add_compile_options(-g1)
elseif(ALM_DEBUG_INFO STREQUAL "none")
  add_compile_options(-g0)
elseif(NOT ALM_DEBUG_INFO STREQUAL "full")
  message(FATAL_ERROR "ALM_DEBUG_INFO must be full, lines or none, not '${ALM_DEBUG_INFO}'")
endif()

if(ALM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Boost 1.74 does not detect coroutine support under clang with libstdc++ 12.
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT BOOST_ASIO_HAS_STD_COROUTINE)
endif()
