# Precompiled headers, shared: one build of orion_pch.h that every library reuses, and one of
# orion_test_pch.h for every test executable (REUSE_FROM). Off with -DORION_PCH=OFF (e.g. for a
# compiler cache that cannot cache PCH builds). GCC rejects a PCH built with other options
# (-Winvalid-pch, an error here), so a target whose flags differ would fail loudly, not slowly.
option(ORION_PCH "Use shared precompiled headers" ON)

if(ORION_PCH)
  add_library(orion_pch STATIC ${CMAKE_SOURCE_DIR}/cmake/pch/pch.cc)
  target_link_libraries(orion_pch PUBLIC nlohmann_json::nlohmann_json spdlog::spdlog fmt::fmt)
  target_precompile_headers(orion_pch PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch/orion_pch.h)
endif()

# orion_use_pch(<target>): the target compiles with the shared library PCH.
function(orion_use_pch target)
  if(ORION_PCH)
    target_precompile_headers(${target} REUSE_FROM orion_pch)
  endif()
endfunction()

# orion_use_test_pch(<target>): the same for a test executable (its PCH also holds GoogleTest).
function(orion_use_test_pch target)
  if(NOT ORION_PCH)
    return()
  endif()
  if(NOT TARGET orion_test_pch)
    add_library(orion_test_pch STATIC ${CMAKE_SOURCE_DIR}/cmake/pch/pch.cc)
    target_link_libraries(orion_test_pch PUBLIC nlohmann_json::nlohmann_json spdlog::spdlog
                          fmt::fmt GTest::gtest GTest::gmock)
    target_include_directories(orion_test_pch PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch)
    target_precompile_headers(orion_test_pch PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch/orion_test_pch.h)
  endif()
  target_precompile_headers(${target} REUSE_FROM orion_test_pch)
endfunction()
