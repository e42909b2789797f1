// Text → value parsers shared by every configuration source. A YAML scalar and an ORION_*
// variable go through the same function, so `interval: fast` and ORION_..._INTERVAL=fast fail the
// same way. Internal to the config module (config.cc and its tests).
//
// Each parser returns the value, or kInvalidArgument whose message reads "expected <what>, got
// '<text>'" — the caller prefixes the location and the dotted key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace orion::config {

// true/false, yes/no, on/off (any case).
Result<bool> parseBoolText(std::string_view text);

// A decimal integer within [min, max].
Result<int64_t> parseIntegerText(std::string_view text, int64_t min, int64_t max);

// A finite decimal number within [min, max].
Result<double> parseNumberText(std::string_view text, double min, double max);

// A duration within [min, max], in whole milliseconds: what parseDuration accepts ("250ms",
// "15s", "5m", "1h", "2d", bare seconds) plus the compound forms formatDuration writes ("1m30s").
Result<Duration> parseDurationText(std::string_view text, Duration min, Duration max);

// "host:port" or "[v6]:port" with a non-empty host and a port in 1..65535.
Status checkListenAddress(std::string_view text);

// "" (the embedded bus) or "redis://[user[:pass]@]host[:port][/db]", port 1..65535, db 0..15.
Status checkBusUrl(std::string_view text);

// "90", "0.5", "4": the shortest text that parses back to the same double.
std::string formatNumber(double value);

// Splits a comma-separated list, trimming items and dropping empty ones ("" is the empty list).
std::vector<std::string> splitListText(std::string_view text);

std::string toLower(std::string_view text);
std::string toUpper(std::string_view text);

// The text with leading and trailing spaces and tabs removed.
std::string_view trim(std::string_view text);

}  // namespace orion::config
