#pragma once
// Result<T>: the value of a fallible operation on the trading path (DESIGN.md decision 8).
//
// Errors are values with a small, closed set of codes plus a human-readable message that names
// what was wrong and where. Exceptions are reserved for start-up and configuration boundaries,
// where they become one message for the user.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace colibri {

// The closed set of failure kinds. Add a code only when callers must react to it differently.
enum class ErrorCode : std::uint8_t {
  InvalidArgument,  // the input is malformed or violates a documented precondition
  OutOfRange,       // a number does not fit the documented range (overflow)
  NotFound,         // the named thing does not exist (order, file, level, key)
  Rejected,         // the venue definitively refused the request
  RateLimited,      // the venue or our own limiter says wait
  Ambiguous,        // the outcome is unknown (timeout, 5xx, disconnect): ask before retrying
  Disconnected,     // the transport is down
  Corrupt,          // stored or received data fails its own consistency checks
  Io,               // the operating system refused a read or write
  Unsupported,      // a valid request this build or venue does not implement
};

[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

// An error code with a message for people. Copying allocates only for messages past the
// small-string buffer; errors are not the steady state of any hot path.
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  [[nodiscard]] ErrorCode code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

  // "<code>: <message>", e.g. "InvalidArgument: invalid decimal \"1.2.3\": second '.'".
  [[nodiscard]] std::string describe() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Builds the error side of a Result: `return fail(ErrorCode::NotFound, "no order {}", id);`
template <typename... Args>
[[nodiscard]] tl::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format,
                                         Args&&... args) {
  return tl::unexpected<Error>(Error(code, fmt::format(format, std::forward<Args>(args)...)));
}

[[nodiscard]] inline tl::unexpected<Error> fail(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

// Thrown only at start-up and configuration boundaries (never on the event-loop hot path).
class StartupError : public std::exception {
 public:
  explicit StartupError(Error error) : error_(std::move(error)), what_(error_.describe()) {}
  [[nodiscard]] const Error& error() const noexcept { return error_; }
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

 private:
  Error error_;
  std::string what_;
};

// Unwraps a Result at a start-up boundary: returns the value or throws StartupError.
template <typename T>
T value_or_throw(Result<T> result) {
  if (!result) throw StartupError(std::move(result.error()));
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace colibri

template <>
struct fmt::formatter<colibri::ErrorCode> : fmt::formatter<std::string_view> {
  auto format(colibri::ErrorCode code, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(colibri::to_string(code), ctx);
  }
};
