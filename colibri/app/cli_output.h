#pragma once
// What the command line's subcommands share for talking to the user: the one-line error, and JSON
// string quoting for their --json output.

#include <string>
#include <string_view>

#include "colibri/core/result.h"

namespace colibri::app {

// Prints "colibri: error: <message>" on stderr and returns the exit code of a failed command (1).
int report_error(const Error& error);

// `text` as a JSON string literal: quotes and backslashes escaped, control bytes as \u00XX.
std::string json_string(std::string_view text);

}  // namespace colibri::app
