#include "common/time.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace orion {

namespace {

using namespace std::chrono;

bool digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// Parses and validates; on success fills `out` (UTC). `why` explains a failure.
bool parse(std::string_view text, WallTime* out, const char** why) {
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day)) {
    *why = "expected YYYY-MM-DD at the start";
    return false;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    *why = "expected 'T' between date and time";
    return false;
  }
  if (!digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    *why = "expected HH:MM:SS after the date";
    return false;
  }
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    *why = "not a calendar date";
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) {
    *why = "time of day out of range";
    return false;
  }
  size_t pos = 19;
  int64_t fraction_ns = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction_ns += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      *why = "expected digits after '.'";
      return false;
    }
  }
  if (pos >= text.size()) {
    *why = "missing time zone offset (naive timestamps are rejected; use 'Z' or '+00:00')";
    return false;
  }
  int offset_minutes = 0;
  char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    ++pos;
  } else if (zone == '+' || zone == '-') {
    int off_h, off_m;
    if (!digits(text, pos + 1, 2, off_h) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, off_m) || off_h > 23 || off_m > 59) {
      *why = "malformed offset (expected +HH:MM)";
      return false;
    }
    offset_minutes = (off_h * 60 + off_m) * (zone == '-' ? -1 : 1);
    pos += 6;
  } else {
    *why = "missing time zone offset (naive timestamps are rejected; use 'Z' or '+00:00')";
    return false;
  }
  if (pos != text.size()) {
    *why = "unexpected characters after the offset";
    return false;
  }
  // A leap second (:60) is folded onto the next second; RFC 3339 allows it, clocks don't.
  // Whole seconds first: they cannot overflow, the clock's nanoseconds can (beyond 1677..2262).
  sys_seconds whole =
      sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second) - minutes(offset_minutes);
  constexpr sys_seconds kEarliest = ceil<seconds>(WallTime::min()) + seconds(1);
  constexpr sys_seconds kLatest = floor<seconds>(WallTime::max()) - seconds(1);
  if (whole < kEarliest || whole > kLatest) {
    *why = "outside the range a timestamp can hold (years 1678 to 2261)";
    return false;
  }
  if (out != nullptr) *out = time_point_cast<WallTime::duration>(whole) + nanoseconds(fraction_ns);
  return true;
}

}  // namespace

std::string formatRfc3339(WallTime time) {
  auto micros = time_point_cast<microseconds>(time);
  auto day_point = floor<days>(micros);
  year_month_day ymd{day_point};
  hh_mm_ss<microseconds> hms{micros - day_point};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    // Not an RFC 3339 year; written as before so the text still says what the time was.
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02lld.%06lldZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    return buffer;
  }
  // Fixed-width digits written directly: every document carries several timestamps, and
  // snprintf cost ~25 times this (it was 4 % of the embedded pipeline's instructions).
  std::string out = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](size_t at, size_t width, uint64_t value) {
    for (size_t i = at + width; i > at; --i) {
      out[i - 1] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, 4, static_cast<uint64_t>(year));
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, static_cast<uint64_t>(hms.hours().count()));
  put(14, 2, static_cast<uint64_t>(hms.minutes().count()));
  put(17, 2, static_cast<uint64_t>(hms.seconds().count()));
  put(20, 6, static_cast<uint64_t>(hms.subseconds().count()));
  return out;
}

Result<WallTime> parseRfc3339(std::string_view text) {
  WallTime out;
  const char* why = "";
  if (!parse(text, &out, &why)) {
    return invalidArgument(fmt::format("'{}' is not an RFC 3339 date-time: {}", text, why));
  }
  return out;
}

bool isRfc3339(std::string_view text) {
  const char* why = "";
  // RFC 3339 allows a space only in prose; JSON Schema's date-time wants 'T'.
  if (text.size() > 10 && text[10] == ' ') return false;
  return parse(text, nullptr, &why);
}

Result<Duration> parseDuration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return invalidArgument("empty duration");
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) {
    return invalidArgument(
        fmt::format("'{}' is not a duration (expected e.g. 250ms, 30s, 5m, 1h, 2d)", text));
  }
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  double seconds_per_unit;
  if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "ms") {
    seconds_per_unit = 0.001;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else if (unit == "d") {
    seconds_per_unit = 86400;
  } else {
    return invalidArgument(
        fmt::format("'{}' has unknown unit '{}' (expected ms, s, m, h or d)", text, unit));
  }
  double total_seconds = value * seconds_per_unit;
  // Beyond ~292 years the nanosecond count overflows; no ORION duration is anywhere near that.
  if (!std::isfinite(total_seconds) || total_seconds > 100.0 * 365 * 86400) {
    return invalidArgument(fmt::format("'{}' is too long (at most 100 years)", text));
  }
  return duration_cast<Duration>(duration<double>(total_seconds));
}

std::string formatDuration(Duration duration) {
  auto ms = duration_cast<milliseconds>(duration).count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  int64_t s = ms / 1000;
  std::string out;
  if (s >= 86400 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

}  // namespace orion
