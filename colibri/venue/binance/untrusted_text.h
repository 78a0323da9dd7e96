#pragma once
// Text from the network, made safe to put in an error message or a log line: at most `max_bytes`
// of it, control, quote, backslash and non-ASCII bytes written as \xNN, and "..." when cut, so
// that a hostile payload cannot garble or flood a log line.

#include <cstddef>
#include <string>
#include <string_view>

namespace colibri::venue::binance {

[[nodiscard]] std::string printable(std::string_view text, std::size_t max_bytes);

// printable() in double quotes, at most 24 bytes: how parsers quote an offending value.
[[nodiscard]] inline std::string quoted(std::string_view text) { return '"' + printable(text, 24) + '"'; }

}  // namespace colibri::venue::binance
