// RFC 3339 timestamps, always UTC.
//
// ORION writes "2026-01-14T12:00:00.123456Z" (microseconds, `Z`). It reads any RFC 3339
// date-time with an explicit offset (`Z`, `z`, `+00:00`, `-05:30`, any fraction length) and
// normalises it to UTC. A timestamp without an offset ("naive") is rejected: ORION never guesses a
// time zone. These checks are hand-written because they run for every `format: date-time` in
// every validated document (valijson builds a std::regex per check).
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace orion {

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC, microsecond precision (truncated).
std::string formatRfc3339(WallTime time);

// Parses an RFC 3339 date-time (with offset) to a UTC time point. Errors name what was wrong.
Result<WallTime> parseRfc3339(std::string_view text);

// True when `text` is a valid RFC 3339 date-time with an offset (calendar-checked: no Feb 30)
// that a WallTime can hold (years 1678 to 2261), so every accepted text also parses.
bool isRfc3339(std::string_view text);

// Parses a duration such as "250ms", "30s", "5m", "1h", "2d" or a bare number of seconds ("30").
Result<Duration> parseDuration(std::string_view text);

// "1h2m3s", "250ms", "0s": the inverse of parseDuration for display.
std::string formatDuration(Duration duration);

}  // namespace orion
