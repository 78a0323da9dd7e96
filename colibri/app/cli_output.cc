#include "colibri/app/cli_output.h"

#include <cstdio>

#include <fmt/format.h>

namespace colibri::app {

int report_error(const Error& error) {
  std::fprintf(stderr, "colibri: error: %s\n", error.message().c_str());
  return 1;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace colibri::app
