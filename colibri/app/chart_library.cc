#include "colibri/app/chart_library.h"

// The build (colibri/app/CMakeLists.txt) defines COLIBRI_CHART_JS (the path of the minified
// script), COLIBRI_CHART_NAME, COLIBRI_CHART_VERSION and COLIBRI_CHART_SHA256; the hash is there so
// that a changed script changes this file's compile command (ccache cannot see into .incbin).
// The assembler copies the file into read-only data between two hidden symbols.
#if !defined(COLIBRI_CHART_JS) || !defined(COLIBRI_CHART_NAME) || !defined(COLIBRI_CHART_VERSION) || \
    !defined(COLIBRI_CHART_SHA256)
#error "chart_library.cc needs the COLIBRI_CHART_* definitions from colibri/app/CMakeLists.txt"
#endif

// clang-format off
__asm__(
    ".pushsection .rodata.colibri_chart_js,\"a\",@progbits\n"
    ".balign 16\n"
    ".globl colibri_chart_js_begin\n"
    ".hidden colibri_chart_js_begin\n"
    "colibri_chart_js_begin:\n"
    ".incbin \"" COLIBRI_CHART_JS "\"\n"
    ".globl colibri_chart_js_end\n"
    ".hidden colibri_chart_js_end\n"
    "colibri_chart_js_end:\n"
    ".byte 0\n"
    ".popsection\n");
// clang-format on

extern "C" const char colibri_chart_js_begin[];
extern "C" const char colibri_chart_js_end[];

namespace colibri::app {

const ChartLibrary& chart_library() noexcept {
  static const ChartLibrary library{
      COLIBRI_CHART_NAME, COLIBRI_CHART_VERSION,
      std::string_view(colibri_chart_js_begin,
                       static_cast<std::size_t>(colibri_chart_js_end - colibri_chart_js_begin))};
  return library;
}

}  // namespace colibri::app
