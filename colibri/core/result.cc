#include "colibri/core/result.h"

namespace colibri {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::OutOfRange: return "OutOfRange";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::Rejected: return "Rejected";
    case ErrorCode::RateLimited: return "RateLimited";
    case ErrorCode::Ambiguous: return "Ambiguous";
    case ErrorCode::Disconnected: return "Disconnected";
    case ErrorCode::Corrupt: return "Corrupt";
    case ErrorCode::Io: return "Io";
    case ErrorCode::Unsupported: return "Unsupported";
  }
  return "Unknown";
}

std::string Error::describe() const { return fmt::format("{}: {}", code_, message_); }

}  // namespace colibri
