// The client side of the control channel (control.h), used by the `orion` CLI: one request,
// one response, then the connection closes. Safe from any thread (no shared state).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::control {

// `<state_dir>/control.sock`.
std::filesystem::path socketPathFor(const std::string& state_dir);

// Sends {"op": op, "args": args} and returns the response's result, or its error as a Status
// (with the server's code). Connection problems are kUnavailable and say whether ORION seems not
// to be running ("no control socket at …") or refused us; no answer within `timeout` is
// kDeadlineExceeded.
Result<Json> call(const std::filesystem::path& socket_path, std::string_view op, const Json& args,
                  Duration timeout = std::chrono::seconds(10));

}  // namespace orion::control
