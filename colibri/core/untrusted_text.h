#pragma once
// Text from outside (the network, a user's file), made safe to put in an error message or a log
// line: at most `max_bytes` of it, control, quote, backslash and non-ASCII bytes written as \xNN,
// and "..." when cut, so that a hostile payload cannot garble or flood a log line.

#include <cstddef>
#include <string>
#include <string_view>

namespace colibri {

[[nodiscard]] std::string printable(std::string_view text, std::size_t max_bytes);

// printable() in double quotes: how parsers quote an offending value. (Not named `quoted`: for a
// std::string argument, argument-dependent lookup would pick std::quoted.)
[[nodiscard]] inline std::string quote_untrusted(std::string_view text, std::size_t max_bytes = 24) {
  return '"' + printable(text, max_bytes) + '"';
}

}  // namespace colibri
