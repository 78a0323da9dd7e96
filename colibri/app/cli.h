#pragma once
// The `colibri` command line: parses arguments, runs one subcommand, returns the exit code.
// Errors are one line on stderr and a non-zero exit; nothing else in colibri prints.

namespace colibri::app {

// Exit codes: 0 success, 1 the command failed (bad input file, failed check), 2 bad arguments.
int run_cli(int argc, char** argv);

}  // namespace colibri::app
