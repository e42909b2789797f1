// Status and Result<T>: ORION's one error vocabulary.
//
// Every fallible operation returns a Status (no value) or a Result<T> (a value or the Status that
// explains why there is none). No exceptions cross a module boundary: code that calls a library
// which throws catches at that call and converts. A message gains context as it travels up:
//
//   return status.withContext("loading policies/actions_safe.yaml");
//   // -> "loading policies/actions_safe.yaml: line 12: unknown key 'acton_type'"
//
// Both types are cheap to move, [[nodiscard]], and safe to use from any thread (they are values).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace orion {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad document, bad config value)
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a create collided with an existing thing (e.g. duplicate id)
  kFailedPrecondition,  // the system is not in a state where the operation can run
  kPermissionDenied,    // the caller may not do this
  kResourceExhausted,   // a bound was hit (queue full, disk full)
  kDeadlineExceeded,    // a wait ran out of time
  kUnavailable,         // a dependency is down; retrying later may succeed
  kCancelled,           // the operation was stopped (shutdown)
  kDataLoss,            // stored data is corrupt or missing
  kInternal,            // a bug: an invariant did not hold
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>". OK statuses are returned unchanged.
  Status withContext(std::string_view context) const;

  // "INVALID_ARGUMENT: message" (or "OK").
  std::string toString() const;

  // Marks a status as deliberately ignored; use sparingly and say why at the call site.
  void ignore() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status notFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status failedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}
inline Status internalError(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

// A value of type T, or the Status explaining why there is none. Accessing value() of an error
// Result is a programming error (asserts in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).isOk() && "a Result built from a Status must be an error");
  }

  bool isOk() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return isOk(); }

  const T& value() const& {
    assert(isOk());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(isOk());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(isOk());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; Status::ok() when this holds a value.
  Status status() const { return isOk() ? Status::ok() : std::get<Status>(data_); }

  T valueOr(T fallback) const& { return isOk() ? std::get<T>(data_) : std::move(fallback); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace orion

// Returns early from the enclosing function when `expr` (a Status) is an error.
#define ORION_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::orion::Status orion_status_ = (expr);          \
    if (!orion_status_.isOk()) return orion_status_; \
  } while (false)
