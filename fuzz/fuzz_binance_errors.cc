// libFuzzer target: the text parsers of api_errors.h (Retry-After header, the ban time in a message)
// and classify()/to_error() on arbitrary HTTP statuses, codes and messages. Never crash; a rate
// limit always waits until a time no earlier than now; the error message stays bounded and printable
// however hostile Binance's text is.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "colibri/venue/binance/api_errors.h"

namespace {

using namespace colibri;
using namespace colibri::venue::binance;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_binance_errors: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  // Layout: 2 bytes status, 4 bytes code, 1 byte split, then header text | message text.
  const int status = (data[0] << 8 | data[1]) % 1000;
  std::int32_t code = 0;
  std::memcpy(&code, data + 2, sizeof code);
  const std::string_view rest(reinterpret_cast<const char*>(data + 7), size - 7);
  const std::size_t split = rest.empty() ? 0 : data[6] % (rest.size() + 1);
  const std::string_view header = rest.substr(0, split);
  const std::string_view message = rest.substr(split);

  (void)parse_retry_after(header);
  (void)ban_end_in_message(message);
  const Timestamp now = Timestamp::from_ms(1723161254000);
  FailedRequest failed{status, ApiError{code, std::string(message), Timestamp::none()}, header};
  const ErrorClass c = classify(failed, now, std::chrono::milliseconds(code % 100000));
  if (c.action == RecoveryAction::WaitUntil && (c.retry_at.is_none() || c.retry_at < now)) {
    violated("rate limit without a wait from now");
  }
  if (c.error == ErrorCode::RateLimited && c.action != RecoveryAction::WaitUntil)
    violated("rate limited, no wait");
  const Error error = to_error(c, failed, "fuzz");
  if (error.message().size() > 1200) violated("unbounded error message");
  for (const char ch : error.message()) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f)
      violated("unprintable");
  }
  return 0;
}
