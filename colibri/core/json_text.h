#pragma once
// JSON string literals written by hand: the simulator's Binance answers, the command line's --json
// output, the backtest summary and report. The one escaping every writer of JSON text uses.

#include <string>
#include <string_view>

namespace colibri {

// Appends `text` to `out` as a JSON string literal, quotes included: '"' and '\' escaped, \n \r \t
// as such, other bytes below 0x20 as \u00XX. JSON is UTF-8: well-formed UTF-8 sequences pass
// through unchanged; a byte that does not start one (text from a client or a file may be anything:
// a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short) becomes
// \ufffd, so the result is always valid JSON. Allocates only as `out` grows.
void append_json_string(std::string& out, std::string_view text);

// `text` as a JSON string literal (append_json_string into a new string).
[[nodiscard]] std::string json_string(std::string_view text);

}  // namespace colibri
