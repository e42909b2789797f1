// A file compiled into the binary (see cmake/EmbedFiles.cmake): its base name and its bytes.
#pragma once

#include <string_view>

namespace orion {

struct EmbeddedFile {
  std::string_view name;
  std::string_view bytes;
};

}  // namespace orion
