// Reading a secret from a file (the admin key, a notification channel's token): refused when the
// file is readable or writable by group or others. Thread-safe; reads the file on every call.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::signing {

// The file's bytes without one trailing newline (LF or CRLF). `what` names it in messages
// ("the admin key"). kPermissionDenied when group/others have any permission bit ("chmod 600
// it"), kNotFound when it does not exist, kUnavailable when it cannot be read.
Result<std::string> readSecretFile(const std::filesystem::path& file, std::string_view what);

}  // namespace orion::signing
