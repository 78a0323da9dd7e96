# colibri_module(NAME [DEPS targets...] [PRIVATE_DEPS targets...] [TEST_DEPS targets...] [STRICT])
#
# Declares one layer library `colibri_NAME` from the *.cc files of the current folder and, when
# tests are enabled, one test executable `colibri_NAME_tests` from its *_test.cc files (tests sit
# beside the code they test). DEPS are the only libraries the layer may use: linking is how the
# build enforces DESIGN.md's dependency direction. STRICT adds -Wconversion (core and model).
function(colibri_module name)
  cmake_parse_arguments(M "STRICT" "" "DEPS;PRIVATE_DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
  set(target colibri_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
    target_link_libraries(${target} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
    colibri_warnings(${target} ${M_STRICT})
  else()  # headers only, so far
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${PROJECT_SOURCE_DIR}")
    target_link_libraries(${target} INTERFACE ${M_DEPS})
  endif()

  if(COLIBRI_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc")
    if(tests)
      add_executable(${target}_tests ${tests})
      target_link_libraries(${target}_tests PRIVATE ${target} ${M_TEST_DEPS} colibri_testing
                            GTest::gtest GTest::gmock GTest::gtest_main)
      colibri_warnings(${target}_tests OFF)
      gtest_discover_tests(${target}_tests DISCOVERY_MODE PRE_TEST
                           PROPERTIES LABELS ${name} TIMEOUT 300)
    endif()
  endif()
endfunction()

function(colibri_warnings target strict)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(strict)
    target_compile_options(${target} PRIVATE -Wconversion -Wsign-conversion)
  endif()
  if(COLIBRI_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
