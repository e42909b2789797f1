# orion_module(NAME <m> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#
# Builds src/<m> as the static library orion_<m>. Its headers are reachable as "<m>/x.h" only by
# targets that link it: each module gets its own include root (build/include/<m>/<m> -> src/<m>), so
# a module that includes the header of a module it does not link fails to compile. Pipeline modules
# (watcher, guardian, brain, approval, commander, memory) never link each other; that is how the
# rule "talk only through the bus" becomes a build error instead of a convention.
function(orion_module)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(include_root ${ORION_BUILD_INCLUDE_ROOT}/${ARG_NAME})
  file(MAKE_DIRECTORY ${include_root})
  if(NOT EXISTS ${include_root}/${ARG_NAME})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${ARG_NAME} ${include_root}/${ARG_NAME} SYMBOLIC)
  endif()
  add_library(orion_${ARG_NAME} STATIC ${ARG_SOURCES})
  target_include_directories(orion_${ARG_NAME} PUBLIC ${include_root})
  target_link_libraries(orion_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  orion_use_pch(orion_${ARG_NAME})
endfunction()
