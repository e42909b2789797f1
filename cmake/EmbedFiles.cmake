# orion_embed_files(OUTPUT <file.cc> NAMESPACE <ns> FUNCTION <fn> FILES ...)
#
# Generates a .cc defining `std::span<const EmbeddedFile> <ns>::<fn>()` holding the bytes of FILES,
# so the binary carries its contracts (and later its dashboard) and needs nothing at run time.
function(orion_embed_files)
  cmake_parse_arguments(ARG "" "OUTPUT;NAMESPACE;FUNCTION" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DNAMESPACE=${ARG_NAMESPACE}
            -DFUNCTION=${ARG_FUNCTION} "-DFILES=${ARG_FILES}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${ARG_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
endfunction()
