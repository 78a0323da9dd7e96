#pragma once
// What the command line's subcommands share for talking to the user: the one-line error. (Their
// --json output quotes strings with core/json_text.h.)

#include "colibri/core/result.h"

namespace colibri::app {

// Prints "colibri: error: <message>" on stderr and returns the exit code of a failed command (1).
int report_error(const Error& error);

}  // namespace colibri::app
