// The dashboard's files (src/api/dashboard/), compiled into the binary by
// cmake/EmbedFiles.cmake: index.html, app.js, app.css, icon.svg. Generated; see
// src/api/CMakeLists.txt. Immutable, valid for the process's lifetime.
#pragma once

#include <span>

#include "common/embedded_file.h"

namespace orion::api {

std::span<const ::orion::EmbeddedFile> embeddedDashboard();

}  // namespace orion::api
