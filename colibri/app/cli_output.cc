#include "colibri/app/cli_output.h"

#include <cstdio>

namespace colibri::app {

int report_error(const Error& error) {
  std::fprintf(stderr, "colibri: error: %s\n", error.message().c_str());
  return 1;
}

}  // namespace colibri::app
